/**
 * The chat wrapper for models without a chat template (base models, such as the bundled
 * stories260K): a plain-text transcript with no role labels, since such a model never saw any.
 * System text comes first, turns are separated by blank lines, and the model continues the last
 * user text directly, the way a base model completes a prompt. Function calls, if any, use
 * node-llama-cpp's default `||call: name(params)` syntax.
 *
 * A base model ends its text with EOS, or, when it was trained on documents that each begin with
 * BOS and carry no EOS (llama2.c's TinyStories models, the bundled one among them), by starting the
 * next document with BOS: either token ends the answer, as llama2.c's own `run.c` stops at BOS.
 */
import type { ChatHistoryItem, ChatWrapper, ChatWrapperGenerateContextStateOptions } from 'node-llama-cpp';

type NodeLlamaCpp = typeof import('node-llama-cpp');

export function createPlainTextChatWrapper(lib: NodeLlamaCpp): ChatWrapper {
  const { LlamaText, SpecialToken } = lib;

  class PlainTextChatWrapper extends lib.ChatWrapper {
    readonly wrapperName = 'PlainText';

    override generateContextState({
      chatHistory,
      availableFunctions,
      documentFunctionParams,
    }: ChatWrapperGenerateContextStateOptions) {
      const history = this.addAvailableFunctionsSystemMessageToHistory(chatHistory, availableFunctions, {
        ...(documentFunctionParams !== undefined ? { documentParams: documentFunctionParams } : {}),
      });
      const texts: Array<ReturnType<typeof LlamaText>> = [];
      let previous: ChatHistoryItem['type'] | null = null;
      for (const item of history) {
        // A model response continues the user text before it; every other turn starts a paragraph.
        if (previous !== null && !(previous === 'user' && item.type === 'model'))
          texts.push(LlamaText('\n\n'));
        if (item.type === 'system') texts.push(LlamaText.fromJSON(item.text));
        else if (item.type === 'user') texts.push(LlamaText(item.text));
        else texts.push(this.generateModelResponseText(item.response));
        previous = item.type;
      }
      return {
        contextText: LlamaText([new SpecialToken('BOS'), ...texts]),
        stopGenerationTriggers: [LlamaText(new SpecialToken('EOS')), LlamaText(new SpecialToken('BOS'))],
      };
    }
  }

  return new PlainTextChatWrapper();
}
