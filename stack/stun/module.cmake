# stack/stun: the STUN/TURN codec and the ICE agent. Fuzz targets and tests
# named outside the module prefix that link rtg_stun:
set(RTG_TARGET_MODULE_turn_channel stun)
set(RTG_TARGET_MODULE_ice_agent stun)
