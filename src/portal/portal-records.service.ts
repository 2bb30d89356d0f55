import { Injectable } from '@nestjs/common';
import { maskIdNumber } from '../identity/id-number.js';
import type { PortalRecordPage, PortalRecordQuery, PortalRecordView } from './portal-record.dto.js';
import { PortalRecordRepository, type PortalRecordRow } from './portal-record.repository.js';

/** Reads of the portal's records for its API (GET /portal/v1/records). */
@Injectable()
export class PortalRecordsService {
  constructor(private readonly records: PortalRecordRepository) {}

  /** A keyset page of one service's records: one more row than asked for says whether there is a next page. */
  async page(query: PortalRecordQuery): Promise<PortalRecordPage> {
    const rows = await this.records.findByServiceAfter(query.serviceCode, query.cursor ?? '0', query.limit + 1);
    const page = rows.slice(0, query.limit);
    return { records: page.map(toPortalRecordView), nextCursor: rows.length > query.limit ? page[page.length - 1].recordId : null };
  }
}

export function toPortalRecordView(row: PortalRecordRow): PortalRecordView {
  return {
    recordId: row.recordId,
    serviceCode: row.serviceCode,
    holderCommuneCode: row.holderCommuneCode,
    idNumber: maskIdNumber(row.idNumber),
    fullName: row.fullName,
    dateOfBirth: row.dateOfBirth,
    sex: row.sex,
    permanentAddress: row.permanentAddress,
    currentAddress: row.currentAddress,
    maritalStatus: row.maritalStatus,
    status: row.status,
    statusDate: row.statusDate,
    cardIssueDate: row.cardIssueDate,
    cardExpiryDate: row.cardExpiryDate,
    source: row.source,
    label: row.label,
    confirmedAt: row.confirmedAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
  };
}
