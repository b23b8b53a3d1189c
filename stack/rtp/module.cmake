# rtp module: RTP/RTCP codecs and SRTP/SRTCP. Targets named srtp_* (tests,
# fuzz targets) link rtg_rtp.
set(RTG_TARGET_MODULE_srtp rtp)
set(RTG_TARGET_MODULE_srtp_diff rtp)
set(RTG_TARGET_MODULE_srtp_unprotect rtp)
