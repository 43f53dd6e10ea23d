// The text of the demo projects: their examples, the wrong answers a weak program gives,
// and the instruction candidates an optimizer proposes.

export interface Example {
  question: string;
  answer: string;
}

export interface DemoProjectContent {
  id: string;
  name: string;
  description: string;
  // short form used in run names and dataset names
  slug: string;
  runCount: number;
  signature: string;
  metrics: ReadonlyArray<readonly [string, number]>;
  examples: Example[];
  // ways the same question arrives, so 40 samples need not repeat a question verbatim
  phrasings: string[];
  wrongAnswers: string[];
  instructions: string[];
  // extra input tokens per call (retrieved passages, invoice text)
  contextTokens: number;
}

const SUPPORT_QA: Example[] = [
  { question: 'How do I reset my password?', answer: 'Use the "Forgot password" link on the sign-in page.' },
  { question: 'Can I change the email address on my account?', answer: 'Yes, under Settings → Profile → Email.' },
  { question: 'Which plans include single sign-on?', answer: 'Business and Enterprise.' },
  { question: 'How long do you keep invoices?', answer: 'Seven years.' },
  { question: 'Do you refund annual plans?', answer: 'Yes, pro-rated, within 30 days of renewal.' },
  { question: 'What is the API rate limit on the Pro plan?', answer: '600 requests per minute.' },
  { question: 'How do I export all my data?', answer: 'Settings → Data → Export, as CSV or JSON.' },
  { question: 'Is there a mobile app?', answer: 'Yes, for iOS and Android.' },
  { question: 'How many seats does the Team plan include?', answer: '10 seats; more can be added at $8 each.' },
  { question: 'Can I pause my subscription?', answer: 'Yes, for up to 3 months.' },
  { question: 'Where is customer data stored?', answer: 'In the EU (Frankfurt) unless you choose the US region.' },
  { question: 'How do I turn on two-factor authentication?', answer: 'Settings → Security → Two-factor authentication.' },
  { question: 'Which file types can I upload?', answer: 'PDF, DOCX, PNG and JPG, up to 50 MB each.' },
  { question: 'How do I delete my workspace?', answer: 'The owner can, under Settings → Workspace → Delete workspace.' },
  { question: 'Does the free plan include API access?', answer: 'No, the API starts with the Pro plan.' },
  { question: 'Can I get support by phone?', answer: 'Phone support is included with Enterprise only.' },
  { question: 'How do I add a teammate?', answer: 'Settings → Members → Invite, then enter their email.' },
  { question: 'Why was my card declined?', answer: 'Your bank declined it; try another card or contact your bank.' },
  { question: 'Can I use my own domain for the help center?', answer: 'Yes, on Business and Enterprise, under Settings → Domains.' },
  { question: 'How do I cancel my trial?', answer: 'Trials end automatically; nothing is charged unless you upgrade.' },
];

const WIKI_RAG: Example[] = [
  { question: 'Which service owns user sessions?', answer: 'auth-gateway' },
  { question: 'What is the p99 latency SLO of the search API?', answer: '300 ms' },
  { question: 'How often are database backups taken?', answer: 'Every 6 hours, kept for 14 days.' },
  { question: 'Which queue does the billing worker consume?', answer: 'billing-events' },
  { question: 'Who approves production schema migrations?', answer: 'The on-call database owner.' },
  { question: 'Which port does the metrics exporter listen on?', answer: '9102' },
  { question: 'Which region hosts the primary Postgres cluster?', answer: 'eu-central-1' },
  { question: 'What is the maximum webhook payload size?', answer: '256 KB' },
  { question: 'How long do feature flags stay after a full rollout?', answer: '30 days, then they are removed.' },
  { question: 'Which library do services use for tracing?', answer: 'OpenTelemetry' },
  { question: 'What is the default timeout of internal gRPC calls?', answer: '2 seconds' },
  { question: 'Where are the runbooks kept?', answer: 'In ops/runbooks in the infra repository.' },
  { question: 'How many replicas does the public API run?', answer: '6' },
  { question: 'What pages the on-call engineer?', answer: 'An SLO burn rate above 14x over one hour.' },
  { question: 'Which team owns the search indexer?', answer: 'Discovery' },
  { question: 'How are secrets delivered to services?', answer: 'From Vault, mounted as files at start-up.' },
  { question: 'What is the retention of application logs?', answer: '30 days hot, 1 year in cold storage.' },
  { question: 'Which CI runner builds the mobile apps?', answer: 'The macOS runners in the mobile-ci pool.' },
  { question: 'When is the weekly deploy freeze?', answer: 'Fridays from 15:00 UTC until Monday 08:00 UTC.' },
  { question: 'What does the canary stage check before promotion?', answer: 'Error rate and p95 latency against the baseline for 20 minutes.' },
];

const VENDORS = [
  'ACME Office Supply', 'Northwind Traders', 'Globex Logistics', 'Initech Software', 'Umbrella Catering',
  'Stark Hardware', 'Wayne Print Co.', 'Hooli Cloud', 'Soylent Foods', 'Vandelay Industries',
];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

// 30 invoices made from fixed tables, so the list is the same on every run.
const INVOICES: Example[] = Array.from({ length: 30 }, (_, i) => {
  const vendor = VENDORS[i % VENDORS.length]!;
  const month = (i * 5) % 12;
  const day = ((i * 7) % 27) + 1;
  const total = ((i * 7919) % 480000) / 100 + 35;
  const number = `INV-${2100 + i * 37}`;
  const iso = `2025-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const amount = total.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const layouts = [
    `${vendor}\nInvoice ${number}\nDate: ${day} ${MONTHS[month]} 2025\nTotal due: $${amount}`,
    `INVOICE ${number} — issued ${MONTHS[month]} ${day}, 2025 by ${vendor}. Amount payable: USD ${amount}.`,
    `From: ${vendor} | Ref ${number} | ${String(month + 1).padStart(2, '0')}/${String(day).padStart(2, '0')}/2025 | Balance $${amount}`,
  ];
  return {
    question: layouts[i % layouts.length]!,
    answer: `vendor: ${vendor}; date: ${iso}; total: ${total.toFixed(2)}`,
  };
});

export const DEMO_PROJECTS: DemoProjectContent[] = [
  {
    id: 'demo-qa',
    name: 'Support QA bot',
    description: 'Answers customer questions from the help-center articles. DSPy program: a single Predict module.',
    slug: 'qa',
    runCount: 34,
    signature: 'question -> answer',
    metrics: [['exact_match', 5], ['llm_judge', 3], ['f1', 2]],
    examples: SUPPORT_QA,
    phrasings: ['{q}', 'Hi, quick question: {q}', 'Customer asks: {q}', '{q} Thanks!'],
    wrongAnswers: [
      "I'm not sure. Please contact our support team.",
      'Under Settings → Billing.',
      'Yes, on all plans.',
      '30 days.',
      'This feature is not available.',
      'Please check the documentation for details.',
    ],
    instructions: [
      'Answer the question.',
      "Answer the customer's support question concisely, using only facts from the help center.",
      'You are a support agent. Give a short, direct answer and name the exact settings path when one applies.',
      'Answer in one sentence. If the answer depends on the plan, name the plan. Never invent features.',
      'Reply with the precise fact the customer needs and nothing more; do not greet or apologize.',
      'Given a customer question, respond with the shortest correct answer from the product documentation.',
    ],
    contextTokens: 0,
  },
  {
    id: 'demo-rag',
    name: 'RAG answer quality',
    description: 'Retrieval-augmented answers over the engineering wiki (top-5 passages), judged against reference answers.',
    slug: 'rag',
    runCount: 24,
    signature: 'context, question -> answer',
    metrics: [['llm_judge', 6], ['f1', 4]],
    examples: WIKI_RAG,
    phrasings: ['{q}', 'From the wiki: {q}', 'Quick check: {q}', 'On-call question: {q}'],
    wrongAnswers: [
      'The context does not say.',
      'api-gateway',
      'Every 24 hours.',
      '8080',
      'us-east-1',
      'The platform team.',
    ],
    instructions: [
      'Answer the question using the context.',
      "Using only the retrieved wiki passages, answer the engineer's question. If the passages do not contain the answer, say so.",
      'Answer with the exact value from the context (names, numbers, units). Be brief.',
      'You answer questions about our infrastructure. When passages disagree, prefer the most recently updated one.',
      'Read all passages before answering; quote service and queue names exactly as written.',
      'Give the answer first, in at most one sentence, grounded in the passages.',
    ],
    contextTokens: 900,
  },
  {
    id: 'demo-extract',
    name: 'Invoice extraction',
    description: 'Extracts vendor, invoice date and total from scanned invoice text (OCR output).',
    slug: 'extract',
    runCount: 17,
    signature: 'question -> answer',
    metrics: [['exact_match', 6], ['f1', 4]],
    examples: INVOICES,
    phrasings: ['{q}'],
    wrongAnswers: [
      'vendor: ACME Office Supply; date: 03/14/2025; total: 1240',
      'vendor: Invoice; date: 2025-01-01; total: 0.00',
      'vendor: Northwind; date: 2025-13-02; total: 1,240.00',
      '{"vendor": "Globex Logistics", "total": "$412.50"}',
      'vendor: unknown; date: unknown; total: unknown',
    ],
    instructions: [
      'Extract the invoice fields.',
      'Extract the vendor name, the invoice date (ISO 8601) and the total (digits and a decimal point, no currency symbol).',
      "Read the invoice and return exactly 'vendor: …; date: YYYY-MM-DD; total: 0.00'. Normalize every date to ISO format.",
      'The vendor is the issuing company, not the customer. Dates may be written in words or as MM/DD/YYYY; convert them.',
      'Return the three fields in the fixed format. Remove thousands separators and currency symbols from the total.',
      'You are an accounts-payable clerk. Copy the vendor name exactly and compute nothing: the total is the amount due.',
    ],
    contextTokens: 250,
  },
];

// Appended to instructions to make more candidates than there are base instructions.
export const INSTRUCTION_SUFFIXES = [
  '',
  ' Think step by step before you answer.',
  ' Keep the answer under 25 words.',
  ' Double-check names and numbers against the input.',
];

// Rules GEPA and SIMBA learn from failures and append to the instructions.
export const LEARNED_RULES = [
  'If the input is ambiguous, answer the most common interpretation.',
  'Never answer with a question.',
  'Copy proper nouns exactly as they appear in the input.',
  'State numbers with their units.',
  'Do not add caveats that the reference answers never contain.',
  'Prefer the specific settings path over a general description.',
];

export const RUN_DESCRIPTIONS = [
  "Nightly re-optimization on last week's data.",
  'Ablation: labeled demos only, no bootstrapped demos.',
  'Same as the previous run with a larger candidate pool.',
  'First try with the new metric on the v2 dev set.',
  'Baseline for the quarterly comparison.',
  'Checking whether a cheaper model holds up after optimization.',
  'Re-run after fixing the label noise in the trainset.',
];

export const RUN_ERRORS = [
  'RateLimitError: Rate limit reached for gpt-4o in organization org-demo on tokens per min (TPM): Limit 30000, Used 29874, Requested 1203. Please try again in 2.15s.',
  "ContextWindowExceededError: This model's maximum context length is 128000 tokens. However, your messages resulted in 131406 tokens.",
  'AdapterParseError: JSON parse failure: Expecting \',\' delimiter: line 1 column 58 (char 57). The LM response did not contain the field "answer".',
  'APIConnectionError: Connection error. (upstream connect error or disconnect/reset before headers)',
  'ValueError: metric returned None for example 17; metrics must return a float or bool.',
];

export const SAMPLE_ERRORS = [
  'RateLimitError: Rate limit reached for requests. Please try again in 1.2s.',
  "JSON parse failure: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
  'Timeout: LM call exceeded 60s',
  'AdapterParseError: response is missing the output field "answer"',
];
