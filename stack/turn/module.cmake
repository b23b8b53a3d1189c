# stack/turn: the sans-IO TURN client (RFC 8656) uses the STUN codec.
set(RTG_MODULE_DEPS_turn stun)
