# Reports n times (first argument), reading each reply; fails with status 5 on anything but
# "continue" or if a reply is missing.
n=$1
i=1
while [ $i -le "$n" ]; do
  echo "@tuneq {\"i\": $i}"
  read -r reply || exit 5
  [ "$reply" = continue ] || exit 5
  i=$((i + 1))
done
echo "read $n replies"
