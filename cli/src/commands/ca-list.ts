import { DescribeCACertificateCommand, paginateListCACertificates, type CACertificate } from '@aws-sdk/client-iot';
import { awsCall } from '../aws/aws-errors';
import { awsSettings, iotClient } from '../aws/aws-settings';
import { type Command } from '../command';

/** `ca list`: the account's CAs in this Region, with what decides how their devices get in. */
export const caList: Command = {
  name: 'ca list',
  summary: 'list the CAs registered in AWS IoT: id, status, mode, auto-registration, template, expiry',
  usage: '  (no options of its own)',
  options: {},
  usesAws: true,
  async run({ values, out }) {
    const iot = await iotClient(awsSettings(values));
    const listed: CACertificate[] = await out.step('ListCACertificates', () => awsCall('ListCACertificates', async () => {
      const all: CACertificate[] = [];
      for await (const page of paginateListCACertificates({ client: iot }, { pageSize: 250 })) all.push(...(page.certificates ?? []));
      return all;
    }));
    // One DescribeCACertificate each: auto-registration and the template are not in the list.
    const described = await out.step(`DescribeCACertificate x ${listed.length}`, () => Promise.all(listed.map(async (ca) => {
      const { certificateDescription: description, registrationConfig } = await awsCall('DescribeCACertificate',
        () => iot.send(new DescribeCACertificateCommand({ certificateId: ca.certificateId })));
      return {
        caCertificateId: ca.certificateId!,
        caCertificateArn: ca.certificateArn,
        status: ca.status,
        certificateMode: description?.certificateMode,
        autoRegistrationStatus: description?.autoRegistrationStatus,
        templateName: registrationConfig?.templateName,
        createdAt: ca.creationDate?.toISOString(),
        notAfter: description?.validity?.notAfter?.toISOString(),
      };
    })));
    out.result({ caCertificates: described }, described.length === 0 ? ['no CA is registered (in this account and Region)'] : [
      `${described.length} CA${described.length === 1 ? '' : 's'}:`,
      ...described.map((ca) => `  ${ca.caCertificateId}  ${ca.status}  ${ca.certificateMode}  auto-registration ${ca.autoRegistrationStatus ?? '?'}`
        + `${ca.templateName ? `  template ${ca.templateName}` : ''}${ca.notAfter ? `  until ${ca.notAfter}` : ''}`),
    ]);
    return 0;
  },
};
