# sign.bash — keys for flow-sign and flow-verify tests and benches.
#
#   spec_key DIR     the Verifiability spec's test-vector key, made from its
#                    X, Y and d: DIR/spec.pem (private), DIR/spec.pub
#   new_keys DIR     fresh keys from openssl genpkey: DIR/p256.pem,
#                    DIR/p256.pub, DIR/ed.pem, DIR/ed.pub
#   key_record PUB TYPE   the FLOWKEY1 TXT text of a public key file

SPEC_X=46950820868899156662930047687818585632848591499744589407958293238635476079160
SPEC_Y=5640078356564379163099075877009565129882514886557779369047442380624545832820
SPEC_D=97358161215184420915383655311931858321456579547487070936769975997791359926199

# 64 hex digits of a decimal number
_hex256() {
	printf '%064s' "$(echo "obase=16; $1" | BC_LINE_LENGTH=0 bc)" | tr ' ' 0
}

spec_key() {
	# SEC1 ECPrivateKey: version 1, d, the P-256 OID, the point 04 || X || Y
	printf '30770201010420%sa00a06082a8648ce3d030107a144034200%s%s%s' \
		"$(_hex256 "$SPEC_D")" 04 "$(_hex256 "$SPEC_X")" "$(_hex256 "$SPEC_Y")" |
		xxd -r -p | openssl ec -inform DER -out "$1/spec.pem" 2>/dev/null
	openssl pkey -in "$1/spec.pem" -pubout -out "$1/spec.pub"
}

new_keys() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1/p256.pem" 2>/dev/null
	openssl pkey -in "$1/p256.pem" -pubout -out "$1/p256.pub"
	openssl genpkey -algorithm ed25519 -out "$1/ed.pem" 2>/dev/null
	openssl pkey -in "$1/ed.pem" -pubout -out "$1/ed.pub"
}

key_record() {
	printf 'v=FLOWKEY1; k=%s; p=%s' "$2" "$(openssl pkey -pubin -in "$1" -outform DER | base64 -w0)"
}
