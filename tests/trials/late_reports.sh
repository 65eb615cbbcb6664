# Reports, then keeps reporting after any answer without reading stdin; SIGTERM ends it.
echo '@tuneq {"loss": 1}'
sleep 0.05
echo '@tuneq {"loss": 2}'
echo 'after stop'
exec sleep 30
