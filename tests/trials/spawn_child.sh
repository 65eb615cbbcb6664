# Starts a grandchild that would outlive it and keeps the stdout pipe open, reports its pid,
# then either waits (argument "wait") or exits at once (argument "exit").
sleep 1000 &
echo "@tuneq {\"child\": $!}"
if [ "$1" = wait ]; then wait; fi
exit 0
