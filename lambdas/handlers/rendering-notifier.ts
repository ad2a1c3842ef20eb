// The Notifier the handlers use: it renders a finding's message (lambdas/report/sns-message.ts,
// with the incident's note when it is an incident's) and hands the bytes to the publisher, which
// only delivers them. Pages are rendered beside it, in incidents.ts (lambdas/report/pages.ts).

import type { MessagePublisher, Notifier } from '../adapters/ports.ts';
import type { Finding } from '../core/model.ts';
import type { IncidentNote } from '../report/incident-text.ts';
import { formatNotification, type Notification } from '../report/sns-message.ts';

export interface RenderingNotifierOptions {
  /** Add the AWS Chatbot custom notification for HTTPS subscribers. @default false */
  readonly chatbot?: boolean;
  /** Told of each message once it is delivered (the local terminal). */
  readonly onSent?: (message: Notification, finding: Finding, messageId: string) => void;
}

export class RenderingNotifier implements Notifier {
  constructor(
    private readonly publisher: MessagePublisher,
    private readonly options: RenderingNotifierOptions = {},
  ) {}

  async publish(finding: Finding, reportPath: string, note?: IncidentNote): Promise<{ messageId: string }> {
    const message = formatNotification(finding, reportPath, {
      chatbot: this.options.chatbot ?? false,
      ...(note ? { note } : {}),
    });
    const { messageId } = await this.publisher.send(message);
    this.options.onSent?.(message, finding, messageId);
    return { messageId };
  }
}
