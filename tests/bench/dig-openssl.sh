#!/bin/sh
# dig-openssl.sh - what a person does without dane-smime, as public
# how-tos describe it: per address, hash the local part (RFC 8162 3:
# SHA-256, first 28 octets = 56 hex digits), ask the validating resolver
# with dig +dnssec, look for the "ad" flag, turn the hex of the SMIMEA
# 3 0 0 record into DER with xxd and let openssl print subject, expiry
# and e-mail addresses.  One line per address on stdout:
#   ADDRESS STATUS   (found | absent | insecure | bogus | error | nocert)
# usage: dig-openssl.sh RESOLVER_IP PORT < addresses
set -u
ip=$1 port=$2
tmp=$(mktemp -d) || exit 70
trap 'rm -rf "$tmp"' EXIT
while IFS= read -r addr; do
	local_part=${addr%@*}
	domain=${addr##*@}
	hash=$(printf '%s' "$local_part" | sha256sum | cut -c1-56)
	name="$hash._smimecert.$domain"
	dig @"$ip" -p "$port" +dnssec +noall +comments +answer \
	    "$name" TYPE53 > "$tmp/answer"
	status=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$tmp/answer")
	if grep -q '^;; flags:.* ad[ ;]' "$tmp/answer"; then
		secure=1
	else
		secure=0
	fi
	case $status in
	NXDOMAIN)
		[ $secure = 1 ] && echo "$addr absent" || echo "$addr insecure"
		continue ;;
	SERVFAIL)
		echo "$addr bogus"; continue ;;
	NOERROR) ;;
	*)
		echo "$addr error"; continue ;;
	esac
	# "NAME TTL IN SMIMEA 3 0 0 3082... 0A1B..." (hex split in words)
	awk '$4 == "SMIMEA" && $5 == 3 && $6 == 0 && $7 == 0 {
		s = ""; for (i = 8; i <= NF; i++) s = s $i; print s; exit }' \
	    "$tmp/answer" | xxd -r -p > "$tmp/cert.der"
	if [ ! -s "$tmp/cert.der" ]; then
		echo "$addr nocert"; continue
	fi
	if openssl x509 -inform DER -in "$tmp/cert.der" -noout -subject \
	    -enddate -email -checkend 0 > "$tmp/x509" 2>&1 &&
	    grep -qixF "$addr" "$tmp/x509"; then
		[ $secure = 1 ] && echo "$addr found" || echo "$addr insecure"
	else
		[ $secure = 1 ] && echo "$addr unusable" || echo "$addr insecure"
	fi
done
