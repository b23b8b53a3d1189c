/* names.c - registry names of SCTP chunk types, parameters, error causes
 * and the WebRTC PPIDs (IANA "Stream Control Transmission Protocol (SCTP)
 * Parameters", RFC 8831 §8). */
#include "rtg/sctp.h"

const char *rtg_sctp_chunk_name(uint8_t type) {
  switch (type) {
    case RTG_SCTP_DATA: return "DATA";
    case RTG_SCTP_INIT: return "INIT";
    case RTG_SCTP_INIT_ACK: return "INIT_ACK";
    case RTG_SCTP_SACK: return "SACK";
    case RTG_SCTP_HEARTBEAT: return "HEARTBEAT";
    case RTG_SCTP_HEARTBEAT_ACK: return "HEARTBEAT_ACK";
    case RTG_SCTP_ABORT: return "ABORT";
    case RTG_SCTP_SHUTDOWN: return "SHUTDOWN";
    case RTG_SCTP_SHUTDOWN_ACK: return "SHUTDOWN_ACK";
    case RTG_SCTP_ERROR: return "ERROR";
    case RTG_SCTP_COOKIE_ECHO: return "COOKIE_ECHO";
    case RTG_SCTP_COOKIE_ACK: return "COOKIE_ACK";
    case RTG_SCTP_ECNE: return "ECNE";
    case RTG_SCTP_CWR: return "CWR";
    case RTG_SCTP_SHUTDOWN_COMPLETE: return "SHUTDOWN_COMPLETE";
    case RTG_SCTP_AUTH: return "AUTH";
    case RTG_SCTP_NR_SACK: return "NR_SACK";
    case RTG_SCTP_I_DATA: return "I_DATA";
    case RTG_SCTP_ASCONF_ACK: return "ASCONF_ACK";
    case RTG_SCTP_RECONFIG: return "RE_CONFIG";
    case RTG_SCTP_PAD: return "PAD";
    case RTG_SCTP_FORWARD_TSN: return "FORWARD_TSN";
    case RTG_SCTP_ASCONF: return "ASCONF";
    case RTG_SCTP_I_FORWARD_TSN: return "I_FORWARD_TSN";
    default: return "unknown";
  }
}

const char *rtg_sctp_param_name(uint16_t type) {
  switch (type) {
    case RTG_SCTP_P_HEARTBEAT_INFO: return "heartbeat_info";
    case RTG_SCTP_P_IPV4: return "ipv4_address";
    case RTG_SCTP_P_IPV6: return "ipv6_address";
    case RTG_SCTP_P_STATE_COOKIE: return "state_cookie";
    case RTG_SCTP_P_UNRECOGNIZED: return "unrecognized_parameter";
    case RTG_SCTP_P_COOKIE_PRESERVATIVE: return "cookie_preservative";
    case RTG_SCTP_P_HOSTNAME: return "hostname_address";
    case RTG_SCTP_P_ADDRESS_TYPES: return "supported_address_types";
    case RTG_SCTP_P_OUT_RESET_REQ: return "outgoing_ssn_reset_request";
    case RTG_SCTP_P_IN_RESET_REQ: return "incoming_ssn_reset_request";
    case RTG_SCTP_P_TSN_RESET_REQ: return "ssn_tsn_reset_request";
    case RTG_SCTP_P_RECONFIG_RESP: return "reconfiguration_response";
    case RTG_SCTP_P_ADD_OUT_STREAMS: return "add_outgoing_streams";
    case RTG_SCTP_P_ADD_IN_STREAMS: return "add_incoming_streams";
    case RTG_SCTP_P_ECN_CAPABLE: return "ecn_capable";
    case RTG_SCTP_P_ZERO_CHECKSUM: return "zero_checksum_acceptable";
    case RTG_SCTP_P_RANDOM: return "random";
    case RTG_SCTP_P_CHUNK_LIST: return "chunk_list";
    case RTG_SCTP_P_HMAC_ALGO: return "requested_hmac_algorithm";
    case RTG_SCTP_P_PADDING: return "padding";
    case RTG_SCTP_P_SUPPORTED_EXT: return "supported_extensions";
    case RTG_SCTP_P_FORWARD_TSN_SUPPORTED: return "forward_tsn_supported";
    case RTG_SCTP_P_ADD_IP: return "add_ip_address";
    case RTG_SCTP_P_DEL_IP: return "delete_ip_address";
    case RTG_SCTP_P_ERROR_CAUSE_IND: return "error_cause_indication";
    case RTG_SCTP_P_SET_PRIMARY: return "set_primary_address";
    case RTG_SCTP_P_SUCCESS_IND: return "success_indication";
    case RTG_SCTP_P_ADAPTATION: return "adaptation_layer_indication";
    default: return "unknown";
  }
}

const char *rtg_sctp_cause_name(uint16_t code) {
  switch (code) {
    case RTG_SCTP_C_INVALID_STREAM: return "invalid_stream_identifier";
    case RTG_SCTP_C_MISSING_PARAM: return "missing_mandatory_parameter";
    case RTG_SCTP_C_STALE_COOKIE: return "stale_cookie";
    case RTG_SCTP_C_OUT_OF_RESOURCE: return "out_of_resource";
    case RTG_SCTP_C_UNRESOLVABLE_ADDR: return "unresolvable_address";
    case RTG_SCTP_C_UNRECOGNIZED_CHUNK: return "unrecognized_chunk_type";
    case RTG_SCTP_C_INVALID_PARAM: return "invalid_mandatory_parameter";
    case RTG_SCTP_C_UNRECOGNIZED_PARAMS: return "unrecognized_parameters";
    case RTG_SCTP_C_NO_USER_DATA: return "no_user_data";
    case RTG_SCTP_C_COOKIE_IN_SHUTDOWN: return "cookie_received_while_shutting_down";
    case RTG_SCTP_C_RESTART_NEW_ADDRS: return "restart_with_new_addresses";
    case RTG_SCTP_C_USER_ABORT: return "user_initiated_abort";
    case RTG_SCTP_C_PROTOCOL_VIOLATION: return "protocol_violation";
    case RTG_SCTP_C_DEL_LAST_IP: return "request_to_delete_last_ip";
    case RTG_SCTP_C_RESOURCE_SHORTAGE: return "operation_refused_resource_shortage";
    case RTG_SCTP_C_DEL_SOURCE_IP: return "request_to_delete_source_ip";
    case RTG_SCTP_C_ILLEGAL_ASCONF_ACK: return "illegal_asconf_ack";
    case RTG_SCTP_C_REQUEST_REFUSED: return "request_refused";
    case RTG_SCTP_C_UNSUPPORTED_HMAC: return "unsupported_hmac_identifier";
    default: return "unknown";
  }
}

const char *rtg_sctp_ppid_name(uint32_t ppid) {
  switch (ppid) {
    case RTG_SCTP_PPID_DCEP: return "webrtc_dcep";
    case RTG_SCTP_PPID_STRING: return "webrtc_string";
    case RTG_SCTP_PPID_BINARY_PARTIAL: return "webrtc_binary_partial";
    case RTG_SCTP_PPID_BINARY: return "webrtc_binary";
    case RTG_SCTP_PPID_STRING_PARTIAL: return "webrtc_string_partial";
    case RTG_SCTP_PPID_STRING_EMPTY: return "webrtc_string_empty";
    case RTG_SCTP_PPID_BINARY_EMPTY: return "webrtc_binary_empty";
    default: return "unknown";
  }
}

bool rtg_sctp_ppid_deprecated(uint32_t ppid) {
  return ppid == RTG_SCTP_PPID_BINARY_PARTIAL || ppid == RTG_SCTP_PPID_STRING_PARTIAL;
}

const char *rtg_dcep_channel_type_name(uint8_t t) {
  switch (t) {
    case RTG_DCEP_RELIABLE: return "reliable";
    case RTG_DCEP_RELIABLE_UNORDERED: return "reliable_unordered";
    case RTG_DCEP_PARTIAL_REXMIT: return "partial_reliable_rexmit";
    case RTG_DCEP_PARTIAL_REXMIT_UNORDERED: return "partial_reliable_rexmit_unordered";
    case RTG_DCEP_PARTIAL_TIMED: return "partial_reliable_timed";
    case RTG_DCEP_PARTIAL_TIMED_UNORDERED: return "partial_reliable_timed_unordered";
    default: return "unknown";
  }
}
