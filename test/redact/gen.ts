/** The generator's building blocks the redaction tests use (samples/gen), in one import. */
export { Clock, DRSUAPI_V4, EtherType, IpProto, NDR_V2, TcpConversation, dcerpcBind, dcerpcBindAck, dcerpcRequest, dcerpcResponse, ethernet, ethernetLink, icmpv4Unreachable, Icmp4Unreach, ipv4 } from '../../samples/gen/frames.js';
export { pcapFile } from '../helpers/frame.js';
