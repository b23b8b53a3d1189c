# stack/sdp: SDP/JSEP. Candidates convert to and from the ICE agent of
# stack/stun (rtg/ice.h).
set(RTG_MODULE_DEPS_sdp stun)
