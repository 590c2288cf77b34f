// The lab harness: real IPsec daemons in network namespaces, and QEMU guests with a stock kernel (see README.md).
export { up, downPrefix } from './lab'
export type { Lab, LabOptions, AwsHandle, GatewayHandle, InternetHandle, Peer2Handle, PfsenseVersion, GatewayKind, VmInfo, ExecResult, ExecOptions, IkeSa, ChildSa, Block, LabDetails } from './lab'
export { cleanStale, teardownRun, namespacesWithPrefix, readRecord, isRunning, RUNS_DIR } from './registry'
export { parseListSas, parseRawVici } from './strongswan'
export { ADDR } from './topology'
export { referenceSwanctlConf, referenceIpsecConf, referenceIpsecSecrets } from './reference'
export { vmMissing, currentKernel } from './vm-image'
export { rootNetSnapshot } from './node'
