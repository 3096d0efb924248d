// MIME for the Graph stand-in: an item attachment's raw contents, and a whole message as MIME
// (`GET .../messages/{id}/$value`), as deterministic bytes (same fixture -> same bytes), so that a
// test can compare them byte for byte with what a client saved.
//
// Sources: "Get MIME content of a message" (docs: the MIME of a message, multipart/mixed with a
// boundary, attachments as base64 parts with Content-Disposition, filename, size, creation-date and
// modification-date, as in its example); "Get attachment" (docs: item attachments' $value is MIME:
// vCard for a contact, iCal for an event, MIME for a message). Where Exchange's exact bytes are not
// documented (header order, boundary, how an attached event or contact is written into the parent's
// MIME) the choices are the stand-in's own, named below.
import { createHash } from 'node:crypto';

const CRLF = '\r\n';
export const toRestId = (ewsId) => ewsId.replace(/\//g, '-').replace(/\+/g, '_');

const lines = (list) => Buffer.from(list.join(CRLF) + CRLF, 'utf8');
/** An RFC 2047 encoded word for a header value that is not printable ASCII. */
const header = (s) => (/^[\x20-\x7e]*$/.test(s) ? s : `=?utf-8?B?${Buffer.from(s).toString('base64')}?=`);
const addr = (p) => (p ? `${p.name ? `"${header(p.name)}" ` : ''}<${p.address}>` : '');
const text = (s) => String(s ?? '').replace(/[\\;,]/g, '\\$&').replace(/\r?\n/g, '\\n'); // iCalendar/vCard TEXT
const stamp = (iso) => new Date(iso).toISOString().replace(/[-:]|\.\d+/g, '');
/** RFC 5322 date, numeric zone: "Fri, 20 Nov 2026 09:30:00 +0000". */
const mailDate = (iso) => new Date(iso).toUTCString().replace(/GMT$/, '+0000');
const body = (s) => String(s ?? '').split(/\r?\n/);

export const itemWhen = (a, parent) => a.sentDateTime ?? a.start ?? parent.sentDateTime ?? '2026-01-01T00:00:00Z';
export const itemMessageId = (a) => a.internetMessageId ?? `<${toRestId(a.ewsId).slice(-16)}@standin.invalid>`;

/** An item attachment's MIME text, from its fixture fields (itemType, subject and optional extras). */
export function itemMime(a, parent) {
  const subject = a.subject ?? a.name ?? '';
  const when = itemWhen(a, parent);
  switch (a.itemType ?? 'message') {
    case 'message': return lines([
      `From: ${addr(a.from ?? parent.from)}`, `To: ${(a.to ?? parent.to ?? []).map(addr).join(', ')}`,
      `Subject: ${header(subject)}`, `Date: ${new Date(when).toUTCString()}`, `Message-ID: ${itemMessageId(a)}`,
      'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit',
      '', ...body(a.bodyText)]);
    case 'event': return lines([
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Save to iMIS tests//Graph stand-in//EN', 'METHOD:PUBLISH',
      'BEGIN:VEVENT', `UID:${toRestId(a.ewsId)}`, `DTSTAMP:${stamp(parent.sentDateTime ?? when)}`,
      `DTSTART:${stamp(when)}`, `DTEND:${stamp(a.end ?? new Date(Date.parse(when) + 3600e3).toISOString())}`,
      `SUMMARY:${text(subject)}`, ...(a.location ? [`LOCATION:${text(a.location)}`] : []),
      ...(a.bodyText ? [`DESCRIPTION:${text(a.bodyText)}`] : []), 'END:VEVENT', 'END:VCALENDAR']);
    case 'contact': {
      const fn = a.displayName ?? subject, [given = '', ...rest] = fn.split(' ');
      return lines(['BEGIN:VCARD', 'VERSION:3.0', `N:${text(a.surname ?? rest.join(' '))};${text(a.givenName ?? given)};;;`,
        `FN:${text(fn)}`, ...(a.email ? [`EMAIL;TYPE=INTERNET:${a.email}`] : []),
        ...(a.company ? [`ORG:${text(a.company)}`] : []), 'END:VCARD']);
    }
    default: throw new Error(`unknown itemType "${a.itemType}"`);
  }
}

/** Base64 in lines of 76 characters, each ending in CRLF (RFC 2045 6.8), streamed: 57 bytes make one line. */
export async function* base64Lines(chunks) {
  let rest = Buffer.alloc(0);
  const encode = (buf) => {
    const b64 = buf.toString('base64');
    const out = Buffer.allocUnsafe(b64.length + 2 * Math.ceil(b64.length / 76));
    let o = 0;
    for (let i = 0; i < b64.length; i += 76) o += out.write(b64.slice(i, i + 76) + CRLF, o, 'latin1');
    return out.subarray(0, o);
  };
  for await (const chunk of chunks) {
    const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    const whole = buf.length - (buf.length % 57);
    if (whole) yield encode(buf.subarray(0, whole));
    rest = Buffer.from(buf.subarray(whole));
  }
  if (rest.length) yield encode(rest);
}

const quoted = (s) => `"${header(String(s)).replace(/["\\]/g, '\\$&')}"`;

/**
 * The whole message as MIME, as an async iterable of Buffers (large attachments stream through).
 * `attachments` are the stand-in's loaded attachments: {kind, fixture, size, open()}. Reference
 * (cloud) attachments are left out: they have no bytes in the mailbox, only a link.
 * With no file or item attachment the message is one text/plain part, as an item message is.
 */
export async function* messageMime(m, attachments) {
  const parts = attachments.filter((a) => a.kind !== 'reference');
  const head = [
    `From: ${addr(m.from)}`, `To: ${(m.to ?? []).map(addr).join(', ')}`,
    ...(m.cc?.length ? [`Cc: ${m.cc.map(addr).join(', ')}`] : []),
    `Subject: ${header(m.subject ?? '')}`, `Date: ${mailDate(m.sentDateTime ?? '2026-01-01T00:00:00Z')}`,
    `Message-ID: ${m.internetMessageId ?? `<${toRestId(m.ewsId).slice(-16)}@standin.invalid>`}`,
    `X-MS-Has-Attach: ${parts.length ? 'yes' : ''}`, 'MIME-Version: 1.0'];
  const textPart = ['Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: 8bit', '', ...body(m.bodyText)];
  if (!parts.length) return yield lines([...head, ...textPart]);
  // Boundary: the docs' example has the shape "_004_<id>_"; ours is derived from the REST id (deterministic).
  const boundary = `_004_${createHash('sha256').update(toRestId(m.ewsId)).digest('hex').slice(0, 40)}standin_`;
  yield lines([...head, 'Content-Type: multipart/mixed;', `\tboundary="${boundary}"`, '', `--${boundary}`, ...textPart, '']);
  for (const a of parts) {
    const f = a.fixture, when = mailDate(f.lastModifiedDateTime ?? m.sentDateTime ?? '2026-01-01T00:00:00Z');
    if (a.kind === 'item' && (f.itemType ?? 'message') === 'message') {
      // An attached message: a message/rfc822 part holding its MIME (RFC 2046 5.2.1; the stand-in's choice).
      yield lines([`--${boundary}`, 'Content-Type: message/rfc822', 'Content-Disposition: attachment', '']);
      for await (const chunk of a.open()) yield chunk;
      yield Buffer.from(CRLF);
      continue;
    }
    // Files (and, the stand-in's choice, attached events as .ics and contacts as .vcf): base64 parts
    // shaped like the docs' example.
    const item = a.kind === 'item' ? f.itemType : null;
    const name = item ? `${f.subject ?? f.name ?? 'item'}.${item === 'event' ? 'ics' : 'vcf'}` : f.name ?? 'attachment';
    const type = item === 'event' ? 'text/calendar; charset="utf-8"; method=PUBLISH' : item === 'contact' ? 'text/vcard; charset="utf-8"'
      : f.contentType ?? 'application/octet-stream';
    yield lines([`--${boundary}`, `Content-Type: ${type}; name=${quoted(name)}`, `Content-Description: ${header(name)}`,
      `Content-Disposition: ${f.isInline ? 'inline' : 'attachment'}; filename=${quoted(name)}; size=${a.size};`,
      `\tcreation-date="${when}";`, `\tmodification-date="${when}"`,
      ...(f.isInline && f.contentId ? [`Content-ID: <${f.contentId}>`] : []), 'Content-Transfer-Encoding: base64', '']);
    yield* base64Lines(a.open());
    yield Buffer.from(CRLF);
  }
  yield Buffer.from(`--${boundary}--${CRLF}`);
}

/** All of an async iterable's bytes. */
export async function collect(chunks) {
  const all = [];
  for await (const chunk of chunks) all.push(chunk);
  return Buffer.concat(all);
}
