# Two malformed report lines, then a good one; reads the reply and says what it got.
echo '@tuneq {bad'
echo '@tuneq [1]'
echo '@tuneq {"loss": 2, "acc": null}'
read reply
echo "got $reply"
