/**
 * Well-known DCE/RPC interfaces by UUID (lower case), with the names Windows administrators
 * know them by. Data, not code (Zeek keeps the same table in dce-rpc/consts.zeek); names follow
 * the MS-* protocol documents and Wireshark where they agree.
 */
export const RPC_INTERFACES: Readonly<Record<string, string>> = {
  'e1af8308-5d1f-11c9-91a4-08002b14a0fa': 'EPM (endpoint mapper)',
  '000001a0-0000-0000-c000-000000000046': 'ISystemActivator / IRemoteSCMActivator (DCOM activation)',
  '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57': 'IRemoteActivation (DCOM activation)',
  '99fcfec4-5260-101b-bbcb-00aa0021347a': 'IOXIDResolver (DCOM OXID resolver)',
  '00000131-0000-0000-c000-000000000046': 'IRemUnknown (DCOM)',
  '00000143-0000-0000-c000-000000000046': 'IRemUnknown2 (DCOM)',
  'f309ad18-d86a-11d0-a075-00c04fb68820': 'IWbemLevel1Login (WMI)',
  '9556dc99-828c-11cf-a37e-00aa003240c7': 'IWbemServices (WMI)',
  'd4781cd6-e5d3-44df-ad94-930efe48a887': 'IWbemLoginClientID (WMI)',
  'e3514235-4b06-11d1-ab04-00c04fc2dcd2': 'DRSUAPI (AD replication)',
  '12345678-1234-abcd-ef00-01234567cffb': 'NETLOGON',
  '12345778-1234-abcd-ef00-0123456789ab': 'LSARPC',
  '12345778-1234-abcd-ef00-0123456789ac': 'SAMR',
  '367abb81-9844-35f1-ad32-98f038001003': 'SVCCTL (service control manager)',
  '86d35949-83c9-4044-b424-db363231fd0c': 'ITaskSchedulerService (Task Scheduler)',
  '378e52b0-c0a9-11cf-822d-00aa0051e40f': 'SASec (Task Scheduler)',
  '1ff70682-0a51-30e8-076d-740be8cee98b': 'ATSVC (Task Scheduler, at)',
  '82273fdc-e32a-18c3-3f78-827929dc23ea': 'EventLog',
  'f6beaff7-1e19-4fbb-9f8f-b89e2018337c': 'IEventService (EventLog remoting)',
  '50abc2a4-574d-40b3-9d66-ee4fd5fba076': 'DNS server management',
  'f5cc59b4-4264-101a-8c59-08002b2f8426': 'FRS (File Replication Service)',
  '897e2e5f-93f3-4376-9c9c-fd2277495c27': 'DFSR (DFS Replication)',
  '91ae6020-9e3c-11cf-8d7c-00aa00c091be': 'ICertPassage (certificate enrolment)',
  'd99e6e70-fc88-11d0-b498-00a0c90312f3': 'ICertRequestD (certificate enrolment, DCOM)',
  '338cd001-2244-31f1-aaaa-900038001003': 'WINREG (remote registry)',
  '4b324fc8-1670-01d3-1278-5a47bf6ee188': 'SRVSVC (server service)',
  '6bffd098-a112-3610-9833-46c3f87e345a': 'WKSSVC (workstation service)',
  '3919286a-b10c-11d0-9ba8-00c04fd92ef5': 'DSSETUP',
  'c681d488-d850-11d0-8c52-00c04fd90f7e': 'EFSRPC',
  'df1941c5-fe89-4e79-bf10-463657acf44d': 'EFSRPC (efsrpc pipe)',
  '12345678-1234-abcd-ef00-0123456789ab': 'SPOOLSS (print spooler)',
  '76f03f96-cdfd-44fc-a22c-64950a001209': 'IRemoteWinspool (print spooler)',
  'a4f1db00-ca47-1067-b31f-00dd010662da': 'Exchange MAPI (EMSMDB)',
  'f5cc5a18-4264-101a-8c59-08002b2f8426': 'Exchange NSPI (address book)',
  '1544f5e0-613c-11d1-93df-00c04fd7bd09': 'Exchange RFR (referral)',
  '5261574a-4572-206e-b268-6b199213b4e4': 'Exchange AsyncEMSMDB',
  'b9785960-524f-11df-8b6d-83dcded72085': 'Volume Shadow Copy (remote VSS)',
  '894de0c0-0d55-11d3-a322-00c04fa321a1': 'InitShutdown',
  'd95afe70-a6d5-4259-822e-2c84da1ddb0d': 'WindowsShutdown',
  '12b81e99-f207-4a4c-85d3-77b42f76fd14': 'ISeclogon (secondary logon)',
  '3dde7c30-165d-11d1-ab8f-00805f14db40': 'BackupKey',
  'c9ac6db5-82b7-4e55-ae8a-e464ed7b4277': 'SysMon (performance)',
  '8fb6d884-2388-11d0-8c35-00c04fda2795': 'W32Time (time service)',
  '6b5bdd1e-528c-422c-af8c-a4079be4fe48': 'Remote Firewall Management (FW)',
  'e3d0d746-d2af-40fd-8a7a-0d7078bb7092': 'DHCP server (dhcpsrv2)',
  '6bffd098-a112-3610-9833-012892020162': 'DHCP server',
  '8c7daf44-b6dc-11d1-9a4c-0020af6e7c57': 'Application Management (appmgmt)',
  '0b6edbfa-4a24-4fc6-8a23-942b1eca65d1': 'Print (IRPCAsyncNotify)',
};

/** Name of an interface UUID, or null when unknown. */
export function interfaceName(uuid: string): string | null {
  return RPC_INTERFACES[uuid.toLowerCase()] ?? null;
}

/** DCOM interfaces whose responses carry string bindings with the port to connect to next. */
export const DCOM_BINDING_INTERFACES: ReadonlySet<string> = new Set([
  '000001a0-0000-0000-c000-000000000046',
  '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57',
  '99fcfec4-5260-101b-bbcb-00aa0021347a',
]);

/** Operation names of the DCOM calls whose answers carry bindings (MS-DCOM §3.1.2.5, §3.1.2.5.1). */
export const DCOM_OPERATIONS: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  '000001a0-0000-0000-c000-000000000046': { 3: 'RemoteGetClassObject', 4: 'RemoteCreateInstance' },
  '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57': { 0: 'RemoteActivation' },
  '99fcfec4-5260-101b-bbcb-00aa0021347a': { 0: 'ResolveOxid', 2: 'SimplePing', 3: 'ComplexPing', 4: 'ServerAlive', 5: 'ResolveOxid2', 6: 'ServerAlive2' },
};
