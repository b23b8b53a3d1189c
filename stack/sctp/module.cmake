# SCTP module: targets named dcep_* (DCEP lives in this module) link rtg_sctp.
set(RTG_TARGET_MODULE_dcep_parse sctp)
set(RTG_TARGET_MODULE_dcep sctp)
