/**
 * QR codes of the channels' public addresses, made by Herold (no QR service is asked): SVG for
 * the page, PNG at print size for download. Error correction M (15 %) survives a smudged poster;
 * the quiet zone is the standard's four modules. File names carry a hash of the address, so a
 * code never changes under its name and can be cached for a year.
 */
import { createHash } from 'node:crypto';

const OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;
/** Pixels per module of the PNG: a typical channel address gives about 500 × 500 pixels. */
const PNG_SCALE = 12;

export const qrHash = (url: string): string => createHash('sha256').update(url).digest('hex').slice(0, 10);

/**
 * qrcode, loaded when the first code is made: a build runs after every publish and every channel
 * change, but makes codes only for an address it has not written before (a new channel or a changed
 * address), so most cold starts never need the library, whose import costs about as much as a
 * sixth of the smallest function's.
 */
const qrcode = async () => (await import('qrcode')).default;

export async function qrSvg(url: string): Promise<string> {
  const QRCode = await qrcode();
  return QRCode.toString(url, { ...OPTIONS, type: 'svg', color: { dark: '#000000', light: '#ffffff' } });
}

export async function qrPng(url: string): Promise<Buffer> {
  const QRCode = await qrcode();
  return QRCode.toBuffer(url, { ...OPTIONS, type: 'png', scale: PNG_SCALE });
}
