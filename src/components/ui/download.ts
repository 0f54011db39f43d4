/**
 * Saves data as a file: a Blob URL on a temporary `<a download>`, clicked, removed, and
 * the URL revoked shortly after (revoking at once can cancel the download in some
 * browsers). No network is involved.
 */
export function downloadFile(data: string | Uint8Array, fileName: string, type = 'application/octet-stream'): void {
  const part: BlobPart = typeof data === 'string' ? data : data.slice();
  const url = URL.createObjectURL(new Blob([part], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  try {
    a.click();
  } finally {
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}

/** A file name made only of safe characters, from a user-chosen label. */
export function safeFileName(label: string, fallback = 'key'): string {
  const cleaned = label
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return cleaned || fallback;
}
