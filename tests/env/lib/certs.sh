# Throwaway certificate authorities and certificates for the test ground, made with the openssl CLI.

# make_ca DIR NAME: DIR/NAME.crt and DIR/NAME.key, a self-signed CA valid for a year.
make_ca() {
  local dir=$1 name=$2
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -days 365 \
    -subj "/CN=fluxcpp test ground $name" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/$name.key" -out "$dir/$name.crt" 2>/dev/null
}

# make_cert DIR CA NAME SUBJECT USAGE [SAN]: DIR/NAME.crt and DIR/NAME.key signed by DIR/CA.
# USAGE is serverAuth or clientAuth; SAN is an openssl subjectAltName value for server certificates.
make_cert() {
  local dir=$1 ca=$2 name=$3 subject=$4 usage=$5 san=${6:-}
  local extensions="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=$usage"
  [[ -n "$san" ]] && extensions+=$'\n'"subjectAltName=$san"
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "$subject" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -sha256 -days 365 -in "$dir/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" \
    -CAcreateserial -extfile <(echo "$extensions") -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr"
}
