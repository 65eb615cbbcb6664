# Fails with exit status 3 after five lines on stderr.
i=1
while [ $i -le 5 ]; do
  echo "err $i" >&2
  i=$((i + 1))
done
exit 3
