# Ignores SIGTERM (and so does its sleep, which inherits the ignored disposition): only SIGKILL
# ends it.
trap '' TERM
echo '@tuneq {"loss": 1}'
while :; do sleep 0.05; done
