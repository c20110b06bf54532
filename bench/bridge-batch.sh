#!/usr/bin/env bash
# examples/bridge.yaml built and torn down with iproute2 batch mode, the way a careful script would:
# the same objects `nslab up` makes for that file (`nslab up -n examples/bridge.yaml` lists them),
# with as few processes as possible. The baseline bench/small.mjs compares nslab's up and down with.
#   bridge-batch.sh build|teardown       (as root, inside ../shared/bench/sandbox.sh only)
# The veths are made from the host side with the peer placed in the namespace (nslab makes them
# from the node's side, peer in the host: the same objects). Like nslab, it links a hosts file and
# an empty resolv.conf into /etc/netns/<ns>/; it does not wait for carrier, which nslab's up does.
set -eu
dir=/run/bridge-batch
case ${1:-} in
build)
  ip -batch - <<'B'
link add bridge-br0 type bridge nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0
link set bridge-br0 alias nslab:bridge:net:br0 addrgenmode none up
addr add 172.12.0.13/24 dev bridge-br0
netns add bridge-ns1
netns add bridge-ns2
link add bridge-1lyptg6 type veth peer name veth1 netns bridge-ns1
link add bridge-1o0b2aq type veth peer name veth2 netns bridge-ns2
link set bridge-1lyptg6 master bridge-br0 alias nslab:bridge:node:ns1:veth1 addrgenmode none up
link set bridge-1o0b2aq master bridge-br0 alias nslab:bridge:node:ns2:veth2 addrgenmode none up
B
  ip -n bridge-ns1 -batch - <<'B'
link set lo up
link set veth1 addrgenmode none up
addr add 172.12.0.11/24 dev veth1
route add default via 172.12.0.13 proto static
B
  ip -n bridge-ns2 -batch - <<'B'
link set lo up
link set veth2 addrgenmode none up
addr add 172.12.0.12/24 dev veth2
route add default via 172.12.0.13 proto static
B
  mkdir -p "$dir" /etc/netns/bridge-ns1 /etc/netns/bridge-ns2
  printf '127.0.0.1\tlocalhost\n172.12.0.11\tns1\n172.12.0.12\tns2\n' > "$dir/hosts"
  : > "$dir/resolv.conf"
  ln -s "$dir/hosts" "$dir/resolv.conf" /etc/netns/bridge-ns1/
  ln -s "$dir/hosts" "$dir/resolv.conf" /etc/netns/bridge-ns2/
  ;;
teardown)
  rm -rf /etc/netns/bridge-ns1 /etc/netns/bridge-ns2 "$dir"
  printf 'netns del bridge-ns1\nnetns del bridge-ns2\nlink del bridge-br0\n' | ip -batch -
  ;;
*) echo "usage: $0 build|teardown" >&2; exit 2 ;;
esac
