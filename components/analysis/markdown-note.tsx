import Markdown from 'react-markdown';

// A note's Markdown, rendered safely: react-markdown builds React elements from the syntax
// tree and never injects HTML; without rehype-raw, raw HTML in the note is dropped
// (skipHtml), and javascript: links are removed by its default urlTransform.
export function MarkdownNote({ body }: { body: string }) {
  return (
    <div className="note-markdown space-y-2 text-sm leading-6 [&_a]:text-indigo-700 [&_a]:underline dark:[&_a]:text-indigo-300 [&_code]:rounded [&_code]:bg-zinc-100 [&_code]:px-1 dark:[&_code]:bg-zinc-800 [&_h1]:text-lg [&_h1]:font-semibold [&_h2]:text-base [&_h2]:font-semibold [&_h3]:font-semibold [&_ol]:list-decimal [&_ol]:pl-5 [&_pre]:overflow-x-auto [&_pre]:rounded [&_pre]:bg-zinc-100 [&_pre]:p-2 dark:[&_pre]:bg-zinc-800 [&_ul]:list-disc [&_ul]:pl-5">
      <Markdown skipHtml>{body}</Markdown>
    </div>
  );
}
