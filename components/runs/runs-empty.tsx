import Link from 'next/link';
import { CopyButton } from './copy-button';

function Snippet({ title, language, code }: { title: string; language: string; code: string }) {
  return (
    <figure className="min-w-0">
      <figcaption className="mb-1.5 flex items-center justify-between gap-2">
        <span className="text-sm font-medium">{title}</span>
        <CopyButton text={code} label={`Copy the ${title} snippet`} />
      </figcaption>
      <pre
        className="overflow-x-auto rounded-lg bg-zinc-950 p-3 text-xs leading-relaxed text-zinc-100 ring-1 ring-zinc-800 dark:bg-black"
        tabIndex={0}
        aria-label={`${title} (${language})`}
      >
        <code>{code}</code>
      </pre>
    </figure>
  );
}

// A project without runs: how to log the first one.
export function FirstRunEmpty({
  projectId,
  projectName,
  baseUrl,
  canAdmin,
}: {
  projectId: string;
  projectName: string;
  baseUrl: string;
  canAdmin: boolean;
}) {
  const curl = `export OPTISCOPE_URL=${baseUrl}
export OPTISCOPE_API_KEY=osk_...   # an API key of ${projectId}

curl -sS -X POST "$OPTISCOPE_URL/api/v1/runs" \\
  -H "Authorization: Bearer $OPTISCOPE_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"runName": "my first run", "optimizerType": "miprov2",
       "status": "running", "tags": ["baseline"],
       "config": {"model": "gpt-4o-mini",
                  "miprov2": {"num_candidates": 10}}}'`;
  const install = `pip install "./clients/python[dspy]"   # from a checkout of Optiscope
export OPTISCOPE_URL=${baseUrl}
export OPTISCOPE_API_KEY=osk_...   # an API key of ${projectId}`;
  const dspy = `import dspy, optiscope
from optiscope.dspy import track

optimizer = dspy.MIPROv2(metric=metric, auto="light")
with track(optimizer, name="qa · MIPROv2 light", tags=["qa"], valset=valset) as run:
    compiled = optimizer.compile(program, trainset=trainset, valset=valset)
print(run.url)`;
  const python = `# pip install ./clients/python  (standard library only)
from optiscope import Optiscope

client = Optiscope()  # reads OPTISCOPE_URL and OPTISCOPE_API_KEY
config = {"model": "gpt-4o-mini", "miprov2": {"num_candidates": 10}}
with client.run("my first run", "miprov2",
                config=config, tags=["baseline"]) as run:
    for trial in range(10):
        score = evaluate_candidate(trial)  # your evaluation, 0-1
        run.log_iteration(trial, score=score, params={"trial": trial + 1})`;

  return (
    <section className="card p-6 sm:p-8" data-testid="runs-empty" aria-labelledby="runs-empty-heading">
      <h2 id="runs-empty-heading" className="text-lg font-semibold">
        No runs in {projectName} yet
      </h2>
      <p className="muted mt-1 max-w-2xl text-sm">
        Runs appear here, live, as soon as a script creates them. With DSPy, put one line around{' '}
        <code className="font-mono">optimizer.compile</code>: every trial, candidate and sample is recorded. Or send
        runs yourself with curl or the Python client. Either way you need an API key of this project.
      </p>
      <ol className="mt-4 space-y-1 text-sm">
        <li>
          <span className="font-medium">1.</span>{' '}
          {canAdmin ? (
            <>
              <Link
                href={`/projects/${projectId}/settings`}
                className="font-medium text-indigo-600 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400"
                data-testid="empty-settings-link"
              >
                Create an API key in Settings
              </Link>{' '}
              (it is shown once: copy it).
            </>
          ) : (
            <>
              Ask an admin of this project for an API key (see{' '}
              <Link href={`/projects/${projectId}/settings`} className="font-medium text-indigo-600 hover:underline dark:text-indigo-400" data-testid="empty-settings-link">
                Settings
              </Link>
              ).
            </>
          )}
        </li>
        <li>
          <span className="font-medium">2.</span> Install the Python package and point it at this server with the key.
        </li>
        <li>
          <span className="font-medium">3.</span> Log a run with one of these; this page updates by itself.
        </li>
      </ol>
      <div className="mt-5 grid gap-5">
        <Snippet title="Install" language="shell" code={install} />
        <Snippet title="DSPy" language="python" code={dspy} />
      </div>
      <div className="mt-5 grid gap-5 lg:grid-cols-2">
        <Snippet title="curl" language="shell" code={curl} />
        <Snippet title="Python" language="python" code={python} />
      </div>
      <p className="muted mt-4 text-xs">
        The whole API is described at{' '}
        <a href="/api/v1/openapi.json" className="underline hover:text-zinc-800 dark:hover:text-zinc-200">
          /api/v1/openapi.json
        </a>
        ; the Python client&apos;s guide is <code className="font-mono">clients/python/README.md</code>.
      </p>
    </section>
  );
}

export function NoMatchingRuns({ clearHref }: { clearHref: string }) {
  return (
    <section className="card px-6 py-12 text-center" data-testid="runs-no-match" aria-labelledby="runs-no-match-heading">
      <h2 id="runs-no-match-heading" className="font-semibold">
        No runs match these filters
      </h2>
      <p className="muted mt-1 text-sm">Loosen a filter above, or start over with every run of the project.</p>
      <Link href={clearHref} className="btn mt-4" data-testid="empty-clear-filters">
        Clear filters
      </Link>
    </section>
  );
}
