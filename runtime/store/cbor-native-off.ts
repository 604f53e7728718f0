// cbor-x loads the optional native addon `cbor-extract` when it is installed; under Bun 1.4.5 that
// addon crashes the process (segfault/abort while decoding). This module must be imported before
// cbor-x anywhere in the process, so cbor-x stays on its pure-JS decoder.
process.env["CBOR_NATIVE_ACCELERATION_DISABLED"] = "true"
