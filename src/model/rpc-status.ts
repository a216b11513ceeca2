/**
 * Well-known status codes met in DCE/RPC fault PDUs, endpoint mapper answers and the errors
 * Windows reports for them. Data, not code: names follow Wireshark's `reject_status_vals`
 * (epan/dissectors/packet-dcerpc.c) and Wine's ncastatus.h for the C706 Appendix E `nca_s_*`
 * values, and winerror.h for the Windows values.
 */

/** One known status. */
export interface RpcStatusInfo {
  readonly name: string;
  /** Plain words, for reports. */
  readonly meaning: string;
}

// Values below 0x10000 that appear as fault statuses are Windows error numbers: Windows puts
// ERROR_ACCESS_DENIED (5), RPC_X_BAD_STUB_DATA (0x6f7) etc. on the wire, and Wireshark names
// them after the C706 faults they replace, so both names are given.
const ENTRIES: readonly (readonly [number, string, string])[] = [
  [0x00000000, 'success', 'no error'],
  [0x00000001, 'nca_s_fault_other', 'unspecified fault'],
  [0x00000005, 'nca_s_fault_access_denied / ERROR_ACCESS_DENIED', 'access denied: the caller may not use this interface or operation'],
  [0x000006b5, 'RPC_S_UNKNOWN_IF', 'the server does not know the interface'],
  [0x000006ba, 'RPC_S_SERVER_UNAVAILABLE', 'the RPC server is unavailable'],
  [0x000006bb, 'RPC_S_SERVER_TOO_BUSY', 'the RPC server is too busy'],
  [0x000006be, 'RPC_S_CALL_FAILED', 'the remote procedure call failed'],
  [0x000006bf, 'RPC_S_CALL_FAILED_DNE', 'the remote procedure call failed and did not execute'],
  [0x000006c0, 'RPC_S_PROTOCOL_ERROR', 'RPC protocol error'],
  [0x000006d1, 'RPC_S_PROCNUM_OUT_OF_RANGE', 'the operation number is out of range for this interface'],
  [0x000006d3, 'RPC_S_UNKNOWN_AUTHN_SERVICE', 'unknown authentication service'],
  [0x000006d8, 'nca_s_fault_cant_perform / EPT_S_CANT_PERFORM_OP', 'the server cannot perform the operation'],
  [0x000006d9, 'EPT_S_NOT_REGISTERED', 'no endpoint is registered for the interface (Windows error 1753)'],
  [0x000006f7, 'nca_s_fault_ndr / RPC_X_BAD_STUB_DATA', 'the request data could not be unmarshalled'],
  [0x00000721, 'nca_s_fault_sec_pkg_error / RPC_S_SEC_PKG_ERROR', 'security package error (Kerberos or NTLM failed)'],
  [0x16c9a0d6, 'EPT_S_NOT_REGISTERED', 'the endpoint mapper has no endpoint registered for the interface'],
  [0x1c000001, 'nca_s_fault_int_div_by_zero', 'integer division by zero in the server'],
  [0x1c000002, 'nca_s_fault_addr_error', 'address error in the server'],
  [0x1c000003, 'nca_s_fault_fp_div_zero', 'floating-point division by zero in the server'],
  [0x1c000004, 'nca_s_fault_fp_underflow', 'floating-point underflow in the server'],
  [0x1c000005, 'nca_s_fault_fp_overflow', 'floating-point overflow in the server'],
  [0x1c000006, 'nca_s_fault_invalid_tag', 'invalid union discriminant'],
  [0x1c000007, 'nca_s_fault_invalid_bound', 'invalid array bound'],
  [0x1c000008, 'nca_s_rpc_version_mismatch', 'RPC protocol version mismatch'],
  [0x1c000009, 'nca_s_unspec_reject', 'call rejected for an unspecified reason'],
  [0x1c00000a, 'nca_s_bad_actid', 'invalid activity id'],
  [0x1c00000b, 'nca_s_who_are_you_failed', 'the server could not verify the client (who-are-you callback failed)'],
  [0x1c00000c, 'nca_s_manager_not_entered', 'the server manager routine was not entered'],
  [0x1c00000d, 'nca_s_fault_cancel', 'the call was cancelled'],
  [0x1c00000e, 'nca_s_fault_ill_inst', 'illegal instruction in the server'],
  [0x1c00000f, 'nca_s_fault_fp_error', 'floating-point error in the server'],
  [0x1c000010, 'nca_s_fault_int_overflow', 'integer overflow in the server'],
  [0x1c000012, 'nca_s_fault_unspec', 'unspecified fault'],
  [0x1c000013, 'nca_s_fault_remote_comm_failure', 'the server failed to reach a further server'],
  [0x1c000014, 'nca_s_fault_pipe_empty', 'pipe empty'],
  [0x1c000015, 'nca_s_fault_pipe_closed', 'pipe closed'],
  [0x1c000016, 'nca_s_fault_pipe_order', 'pipe order error'],
  [0x1c000017, 'nca_s_fault_pipe_discipline', 'pipe discipline error'],
  [0x1c000018, 'nca_s_fault_pipe_comm_error', 'pipe communication error'],
  [0x1c000019, 'nca_s_fault_pipe_memory', 'pipe memory error'],
  [0x1c00001a, 'nca_s_fault_context_mismatch', 'context handle mismatch (stale or foreign handle)'],
  [0x1c00001b, 'nca_s_fault_remote_no_memory', 'the server ran out of memory'],
  [0x1c00001c, 'nca_s_invalid_pres_context_id', 'invalid presentation context id (interface not bound on this connection)'],
  [0x1c00001d, 'nca_s_unsupported_authn_level', 'authentication level not supported'],
  [0x1c00001f, 'nca_s_invalid_checksum', 'invalid checksum'],
  [0x1c000020, 'nca_s_invalid_crc', 'invalid CRC'],
  [0x1c000021, 'nca_s_fault_user_defined', 'user-defined fault'],
  [0x1c000022, 'nca_s_fault_tx_open_failed', 'transaction open failed'],
  [0x1c000023, 'nca_s_fault_codeset_conv_error', 'code set conversion error'],
  [0x1c000024, 'nca_s_fault_object_not_found', 'object not found'],
  [0x1c000025, 'nca_s_fault_no_client_stub', 'no client stub'],
  [0x1c010001, 'nca_s_comm_failure', 'communication failure'],
  [0x1c010002, 'nca_s_op_rng_error', 'the operation number is out of range for this interface (older server version)'],
  [0x1c010003, 'nca_s_unk_if', 'the server does not know the interface (UUID or version)'],
  [0x1c010006, 'nca_s_wrong_boot_time', 'the server restarted (wrong boot time)'],
  [0x1c010009, 'nca_s_you_crashed', 'the server believes the client restarted'],
  [0x1c01000b, 'nca_s_proto_error', 'RPC protocol error'],
  [0x1c010013, 'nca_s_out_args_too_big', 'output arguments too big'],
  [0x1c010014, 'nca_s_server_too_busy', 'the server is too busy'],
  [0x1c010015, 'nca_s_fault_string_too_long', 'string too long'],
  [0x1c010017, 'nca_s_unsupported_type', 'unsupported type'],
  [0x80004001, 'E_NOTIMPL', 'not implemented'],
  [0x80004005, 'E_FAIL', 'unspecified failure'],
  [0x80010105, 'RPC_E_SERVERFAULT', 'the server threw an exception'],
  [0x80010108, 'RPC_E_DISCONNECTED', 'the object disconnected from its clients'],
  [0x8001011b, 'RPC_E_ACCESS_DENIED', 'access denied (COM)'],
  [0x8001011f, 'RPC_E_TIMEOUT', 'the operation timed out'],
  [0x80041003, 'WBEM_E_ACCESS_DENIED', 'WMI access denied (namespace security)'],
  [0x80070005, 'E_ACCESSDENIED', 'access denied'],
  [0x80070057, 'E_INVALIDARG', 'invalid argument'],
  [0x800706ba, 'RPC_S_SERVER_UNAVAILABLE (HRESULT)', 'the RPC server is unavailable'],
  [0x800706be, 'RPC_S_CALL_FAILED (HRESULT)', 'the remote procedure call failed'],
  [0x800706d9, 'EPT_S_NOT_REGISTERED (HRESULT)', 'no endpoint is registered for the interface'],
  [0x80070776, 'OR_INVALID_OXID', 'the object exporter (OXID) is unknown'],
  [0x80080005, 'CO_E_SERVER_EXEC_FAILURE', 'the COM server failed to start'],
];

/** Known statuses by value. */
export const RPC_STATUS: ReadonlyMap<number, RpcStatusInfo> = new Map(ENTRIES.map(([code, name, meaning]) => [code, { name, meaning }]));

/** `0x` and eight lower-case hex digits. */
export const hex32 = (code: number): string => `0x${(code >>> 0).toString(16).padStart(8, '0')}`;

/** `nca_s_unk_if (0x1c010003)` for a known status, `0x12345678` otherwise. */
export function statusName(code: number): string {
  const s = RPC_STATUS.get(code >>> 0);
  return s === undefined ? hex32(code) : `${s.name} (${hex32(code)})`;
}

/** Plain-words meaning of a status, or null when unknown. */
export function statusMeaning(code: number): string | null {
  return RPC_STATUS.get(code >>> 0)?.meaning ?? null;
}

/** bind_nak's provider_reject_reason by value (C706 §12.6.3.1 p_reject_reason_t; MS-RPCE §2.2.2.5). */
export const BIND_NAK_REASONS: readonly string[] = [
  'reason_not_specified', 'temporary_congestion', 'local_limit_exceeded', 'called_paddr_unknown', 'protocol_version_not_supported',
  'default_context_not_supported', 'user_data_not_readable', 'no_psap_available', 'authentication_type_not_recognized', 'invalid_checksum',
];

/** A rejected presentation context's reason in a bind_ack by value (C706 §12.6.3.1 p_provider_reason_t). */
export const CONTEXT_REJECT_REASONS: readonly string[] = [
  'reason_not_specified', 'abstract_syntax_not_supported', 'proposed_transfer_syntaxes_not_supported', 'local_limit_exceeded',
];
