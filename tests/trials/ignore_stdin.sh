# Reports three times at once without ever reading stdin, then sleeps (SIGTERM ends it).
echo '@tuneq {"loss": 1}'
echo '@tuneq {"loss": 2}'
echo '@tuneq {"loss": 3}'
echo 'started'
exec sleep 30
