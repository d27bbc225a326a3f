// Join QR codes as SVG. qrcode is loaded the first time a code is drawn (the
// join page, the dashboard), not when the hub starts
// (docs/architecture.md#startup-loads-what-is-used).
import type QRCode from 'qrcode';

let loading: Promise<{ default: typeof QRCode }> | undefined;

export async function qrSvg(text: string): Promise<string> {
  loading ??= import('qrcode');
  const { default: qr } = await loading;
  return qr.toString(text, { type: 'svg', margin: 2 });
}
