// The lab harness: real IPsec daemons in network namespaces (see README.md).
export { up, downPrefix } from './lab'
export type { Lab, LabOptions, AwsHandle, GatewayHandle, InternetHandle, Peer2Handle, PfsenseVersion, GatewayKind, ExecResult, ExecOptions, IkeSa, ChildSa, Block, LabDetails, SudoersShape } from './lab'
export { cleanStale, teardownRun, namespacesWithPrefix, readRecord, isRunning, RUNS_DIR } from './registry'
export { parseListSas, parseRawVici } from './strongswan'
export { ADDR } from './topology'
export { SUDOERS_SHAPES, toSudoersText } from './sshd'
export { referenceSwanctlConf, referenceIpsecConf, referenceIpsecSecrets } from './reference'
