/** The conversation a response was to be appended to was deleted while it ran. */
export class ConversationGoneError extends Error {
  constructor(readonly conversationId: string) {
    super(`Conversation with id '${conversationId}' not found.`);
  }
}
