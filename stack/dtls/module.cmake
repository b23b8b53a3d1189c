# Fuzz targets named dtls12_* / dtls13_* belong to the dtls module.
set(RTG_TARGET_MODULE_dtls12_unprotect dtls)
set(RTG_TARGET_MODULE_dtls13_unprotect dtls)
