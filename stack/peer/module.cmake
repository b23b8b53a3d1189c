# The reference peer composes every other module of the stack.
set(RTG_MODULE_DEPS_peer stun dtls rtp sctp sdp turn)
