// Desktop notifications for tunnel down/up (thin over Electron's Notification).
import { Notification } from 'electron'

/** Shows a notification when the OS supports them; silently does nothing otherwise. */
export function notifyDesktop(title: string, body: string): void {
  if (!Notification.isSupported()) return
  new Notification({ title, body, silent: false }).show()
}
