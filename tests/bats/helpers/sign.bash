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
# The spec's test vectors as event lines (compact JSON; the data of the
# JSON cases as {"hello":"world"}), each with its published dssematerial:
# spec_vector NAME prints one. Names: case1 case2 case3 case4 case5 case6a
# case6b case7 walkthrough example.
spec_vector() {
	case $1 in
	case1) echo '{"specversion":"1.0","id":"1","source":"example/uri","type":"example.type","datacontenttype":"application/json","data":{"hello":"world"},"dssematerial":"eyJwYXlsb2FkVHlwZSI6Imh0dHBzOi8vY2xvdWRldmVudHMuaW8vdmVyaWZpYWJpbGl0eS9kc3NlL3YwLjEiLCJwYXlsb2FkIjoiNXh6NS9WdG94TkpWWWFZeG1MZUw2eEw5STZDYXY5UDNnb2g2cXlDWUdmUT0iLCJzaWduYXR1cmVzIjpbeyJrZXlpZCI6InRlc3RrZXkiLCJzaWciOiJ3WWo4YlJQWFlDSUxyeXdzUDdXR1VCd1RKc25aSFlYTUhpWEZtWWh1QkdhOU1ocDdYNHZFN1FBYkhXbytXZitjTURBYjN6dXlwRjVVbVdwZGtJUGppUT09In1dfQ=="}' ;;
	case2) echo '{"specversion":"1.0","id":"1","source":"example/uri","subject":"","type":"example.type","datacontenttype":"application/json","data":{"hello":"world"},"dssematerial":"eyJwYXlsb2FkVHlwZSI6Imh0dHBzOi8vY2xvdWRldmVudHMuaW8vdmVyaWZpYWJpbGl0eS9kc3NlL3YwLjEiLCJwYXlsb2FkIjoiNXh6NS9WdG94TkpWWWFZeG1MZUw2eEw5STZDYXY5UDNnb2g2cXlDWUdmUT0iLCJzaWduYXR1cmVzIjpbeyJrZXlpZCI6InRlc3RrZXkiLCJzaWciOiJ3WWo4YlJQWFlDSUxyeXdzUDdXR1VCd1RKc25aSFlYTUhpWEZtWWh1QkdhOU1ocDdYNHZFN1FBYkhXbytXZitjTURBYjN6dXlwRjVVbVdwZGtJUGppUT09In1dfQ=="}' ;;
	case3) echo '{"specversion":"1.0","id":"1","source":"example/uri","subject":"","type":"example.type","datacontenttype":"application/json","time":"2020-06-18T17:24:53Z","data":{"hello":"world"},"dssematerial":"eyJwYXlsb2FkVHlwZSI6Imh0dHBzOi8vY2xvdWRldmVudHMuaW8vdmVyaWZpYWJpbGl0eS9kc3NlL3YwLjEiLCJwYXlsb2FkIjoiZXlKamIzSmxJam9pZDB0RFlUaHpjVE5rZVdjdk1EQmFhVVJSZVM5aFdFRlpNWFJsY0ZGdWNrdE1ZVFo0VURCWk0wUXZVVDBpZlE9PSIsInNpZ25hdHVyZXMiOlt7ImtleWlkIjoidGVzdGtleSIsInNpZyI6IlVNcWlOWXA3U1FacTZNSGRtczRkbjJtc0hHaW5MSHZaYVVWM2doY2ovY241QmkzZDVqejBzZmhtOXBaODlDY09hK1dXdGpZNmNadmo3Yy90T1dzVFZnPT0ifV19"}' ;;
	case4) echo '{"specversion":"1.0","id":"1","source":"example/uri","subject":"","type":"example.type","datacontenttype":"application/json","time":"2020-06-18T19:24:53+02:00","data":{"hello":"world"},"dssematerial":"eyJwYXlsb2FkVHlwZSI6Imh0dHBzOi8vY2xvdWRldmVudHMuaW8vdmVyaWZpYWJpbGl0eS9kc3NlL3YwLjEiLCJwYXlsb2FkIjoiZXlKamIzSmxJam9pZDB0RFlUaHpjVE5rZVdjdk1EQmFhVVJSZVM5aFdFRlpNWFJsY0ZGdWNrdE1ZVFo0VURCWk0wUXZVVDBpZlE9PSIsInNpZ25hdHVyZXMiOlt7ImtleWlkIjoidGVzdGtleSIsInNpZyI6IlVNcWlOWXA3U1FacTZNSGRtczRkbjJtc0hHaW5MSHZaYVVWM2doY2ovY241QmkzZDVqejBzZmhtOXBaODlDY09hK1dXdGpZNmNadmo3Yy90T1dzVFZnPT0ifV19"}' ;;
	case5) echo '{"specversion":"1.0","id":"1","source":"example/uri","type":"example.type.binary","datacontenttype":"application/octet-stream","data_base64":"8J+koQ==","dssematerial":"eyJwYXlsb2FkVHlwZSI6Imh0dHBzOi8vY2xvdWRldmVudHMuaW8vdmVyaWZpYWJpbGl0eS9kc3NlL3YwLjEiLCJwYXlsb2FkIjoiZXlKamIzSmxJam9pY1VOVFpXbGFhMU1yYUVnNVYybERiR1p4Tm5Cc1puRlpUbFo1TW10MmVGZFNabTlDY2t4RmVtOUVhejBpZlE9PSIsInNpZ25hdHVyZXMiOlt7ImtleWlkIjoidGVzdGtleSIsInNpZyI6IkYyaXAweG1nSlgzdWdIWkM2dE1ycjdBMkVxYWkwOHJhR3JUd2R5aC9PR0RJSXJGN0J5TTJ5SVRMS3FOckYzZHpaR1IybzBDczlmRUJGZEx4Uk9VeUVRPT0ifV19"}' ;;
	case6a) echo '{"specversion":"1.0","id":"1","source":"example/uri","type":"example.type","datacontenttype":"application/json","exta":"value1","data":{"hello":"world"},"dssematerial":"eyJwYXlsb2FkVHlwZSI6Imh0dHBzOi8vY2xvdWRldmVudHMuaW8vdmVyaWZpYWJpbGl0eS9kc3NlL3YwLjEiLCJwYXlsb2FkIjoiZXlKamIzSmxJam9pVEZSblVVdElSMmhsWnpaVU5EaDRjRWRIY2pWNlRtdGthSEF5TW10bGJscERUM0ZwWTBaMFNUUlRRVDBpTENKbGVIUWlPaUpyVlRGUU9HSkVZVVZ1ZVU1b1oyeFhlbVJVU2s1SWFEYzNhMmhPVjFOYVpXSkNWWGgxWmxaTk1uQlZQU0lzSW5OcFoyNWxaR1Y0ZEdGMGRISnpJanBiSW1WNGRHRWlYWDA5Iiwic2lnbmF0dXJlcyI6W3sia2V5aWQiOiJ0ZXN0a2V5Iiwic2lnIjoibHBPcHNqUnZ2NFBDb05zQUlSRFl1MXphWlNBVkV2ajVSQzFGSk1yTDEyekJLa2IxTjhFSGlQc3FJMStId0V5V092SHU3eHE1aDBkN3BWWTRBdElOM3c9PSJ9XX0="}' ;;
	case6b) echo '{"specversion":"1.0","id":"1","source":"example/uri","type":"example.type","datacontenttype":"application/json","exta":"value1","extb":"value2","data":{"hello":"world"},"dssematerial":"eyJwYXlsb2FkVHlwZSI6Imh0dHBzOi8vY2xvdWRldmVudHMuaW8vdmVyaWZpYWJpbGl0eS9kc3NlL3YwLjEiLCJwYXlsb2FkIjoiZXlKamIzSmxJam9pVEZSblVVdElSMmhsWnpaVU5EaDRjRWRIY2pWNlRtdGthSEF5TW10bGJscERUM0ZwWTBaMFNUUlRRVDBpTENKbGVIUWlPaUpyVlRGUU9HSkVZVVZ1ZVU1b1oyeFhlbVJVU2s1SWFEYzNhMmhPVjFOYVpXSkNWWGgxWmxaTk1uQlZQU0lzSW5OcFoyNWxaR1Y0ZEdGMGRISnpJanBiSW1WNGRHRWlYWDA5Iiwic2lnbmF0dXJlcyI6W3sia2V5aWQiOiJ0ZXN0a2V5Iiwic2lnIjoibHBPcHNqUnZ2NFBDb05zQUlSRFl1MXphWlNBVkV2ajVSQzFGSk1yTDEyekJLa2IxTjhFSGlQc3FJMStId0V5V092SHU3eHE1aDBkN3BWWTRBdElOM3c9PSJ9XX0="}' ;;
	case7) echo '{"specversion":"1.0","id":"1","source":"example/uri","type":"example.type","datacontenttype":"application/json","exta":"value1","extb":"value2","data":{"hello":"world"},"dssematerial":"eyJwYXlsb2FkVHlwZSI6Imh0dHBzOi8vY2xvdWRldmVudHMuaW8vdmVyaWZpYWJpbGl0eS9kc3NlL3YwLjEiLCJwYXlsb2FkIjoiZXlKamIzSmxJam9pVEZSblVVdElSMmhsWnpaVU5EaDRjRWRIY2pWNlRtdGthSEF5TW10bGJscERUM0ZwWTBaMFNUUlRRVDBpTENKbGVIUWlPaUpJUWpGd1pUUXpNVVp2VVZwU2MwcGllVXhPVFhFd1VXRkJkbkZRZEcxb1pHazRaRWhIVTJoaVNrRlZQU0lzSW5OcFoyNWxaR1Y0ZEdGMGRISnpJanBiSW1WNGRHRWlMQ0psZUhSaUlsMTkiLCJzaWduYXR1cmVzIjpbeyJrZXlpZCI6InRlc3RrZXkiLCJzaWciOiIyZzFVb0FRcHoxb1BqWlRQUlplK3l2THpaUU5FQ1pha2piWlZYaXpEd2RNbmVJSCsrLzUzdVhOMmJDU2tWSkltZndPaVl5S0JtNG12c01ISlhJVWh6Zz09In1dfQ=="}' ;;
	walkthrough) echo '{"specversion":"1.0","id":"1","source":"example/uri","type":"example.type","datacontenttype":"application/json","exta":"value1","dssematerial":"eyJwYXlsb2FkVHlwZSI6Imh0dHBzOi8vY2xvdWRldmVudHMuaW8vdmVyaWZpYWJpbGl0eS9kc3NlL3YwLjEiLCJwYXlsb2FkIjoiZXlKamIzSmxJam9pZG1wWWNraE9kQzlyTHpOeVUxTTVWMlZxZW1WUk9IWktOSE5WTVhWUmFDdEtOVEZXY1hKNU4xaHVUVDBpTENKbGVIUWlPaUpyVlRGUU9HSkVZVVZ1ZVU1b1oyeFhlbVJVU2s1SWFEYzNhMmhPVjFOYVpXSkNWWGgxWmxaTk1uQlZQU0lzSW5OcFoyNWxaR1Y0ZEdGMGRISnpJanBiSW1WNGRHRWlYWDA5Iiwic2lnbmF0dXJlcyI6W3sia2V5aWQiOiJ0ZXN0a2V5Iiwic2lnIjoiaEhtR09tZEUrWnA3RmpDUStTeHdiWUt6Y2tLa1VITHVPbGFHVUo5SGM5MUsydlh2R1gwM3ZNTFJpbW5RTWFQdWRtZm13alJiY09xYmQ3WTdTVFhueGc9PSJ9XX0=","data":{"hello": "world"}}' ;;
	example) echo '{"specversion":"1.0","id":"1","source":"example/uri","type":"example.type","datacontenttype":"application/json","data":{"hello":"world"},"dssematerial":"eyJwYXlsb2FkVHlwZSI6Imh0dHBzOi8vY2xvdWRldmVudHMuaW8vdmVyaWZpYWJpbGl0eS9kc3NlL3YwLjEiLCJwYXlsb2FkIjoiNXh6NS9WdG94TkpWWWFZeG1MZUw2eEw5STZDYXY5UDNnb2g2cXlDWUdmUT0iLCJzaWduYXR1cmVzIjpbeyJrZXlpZCI6InRlc3RrZXkiLCJzaWciOiJ3WWo4YlJQWFlDSUxyeXdzUDdXR1VCd1RKc25aSFlYTUhpWEZtWWh1QkdhOU1ocDdYNHZFN1FBYkhXbytXZitjTURBYjN6dXlwRjVVbVdwZGtJUGppUT09In1dfQ=="}' ;;
	esac
}

# The line without its dssematerial member.
unsigned_of() {
	sed 's/,"dssematerial":"[^"]*"//'
}

# The VERIFICATION_MATERIAL (decoded payload) of the event line on stdin.
material_of() {
	jq -r .dssematerial | base64 -d | jq -r .payload | base64 -d
}

# with_material LINE MATERIAL: LINE with its dssematerial set to MATERIAL.
with_material() {
	printf '%s\n' "$1" | unsigned_of | sed 's|}$|,"dssematerial":"'"$2"'"}|'
}

# many_events N: N valid events, ids e1 to eN (awk: a shell loop is slow under bats)
many_events() {
	seq "$1" | awk '{ printf "{\"specversion\":\"1.0\",\"id\":\"e%d\",\"source\":\"/test\",\"type\":\"com.example.test\"}\n", $1 }'
}
