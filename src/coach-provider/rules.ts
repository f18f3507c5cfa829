/**
 * The deterministic coach: a clarity score out of 100 from four parts — length (25), question
 * form (20), specificity (25: numbers, names, precise words, minus vague pronouns) and context
 * (30: the asker's situation and goal) — minus greeting and shouting penalties, and one
 * actionable suggestion per weakness found.
 */
import type {
  Analysis,
  Clarification,
  CoachExpert,
  CoachProvider,
  CoachQuestion,
  Feedback,
  QuickValidation,
  Validation,
} from './provider.ts';

const VAGUE = /\b(it|this|these|those|stuff|things?|something|anything|whatever|etc)\b/gi;
const INTERROGATIVE =
  /^(how|what|which|when|where|why|who|whom|whose|should|can|could|would|will|is|are|am|do|does|did|was|were|has|have)\b/i;
const SITUATION = /\b(i|i'm|im|i've|i'd|me|my|we|we're|we've|us|our|currently|right now)\b/i;
const GOAL =
  /\b(want|wants|need|needs|trying|goal|plan|planning|hoping|hope|should|looking (to|for)|best way|so that|in order to|decide|choose|how (can|do|should|could) (i|we))\b/i;
const GREETING = /^\s*(hi|hello|hey|dear|greetings|good (morning|afternoon|evening))\b/i;
const TITLE_MAX = 200;

const SEVERITY_ORDER = { high: 0, medium: 1, low: 2 } as const;

function words(s: string): string[] {
  return s.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
}

/** A name or an acronym (checked after the first word, which is capitalised anyway). */
const isName = (w: string) => /^[("'“]?[A-Z][A-Za-z0-9&.+-]*[A-Za-z0-9]/.test(w);
/** A long word is usually a precise one ("subscription", "onboarding"). */
const isPrecise = (w: string) => w.replace(/[^\p{L}]/gu, '').length >= 9;

function hasSpecifics(s: string, ws: string[]): boolean {
  return /\d/.test(s) || ws.slice(1).some(isName) || ws.some(isPrecise);
}

function isShouting(s: string): boolean {
  const letters = s.replace(/[^\p{L}]/gu, '');
  return letters.length >= 12 && letters.replace(/[^\p{Lu}]/gu, '').length / letters.length > 0.7;
}

/** The score and its parts, for a title alone (step 1) or a title with its details (step 2). */
function assess(q: CoachQuestion): Validation & { vagueWords: string[]; shouting: boolean } {
  const title = q.title.trim();
  const all = q.text?.trim() ? `${title}\n${q.text.trim()}` : title;
  const ws = words(all);
  const wc = ws.length;
  const vagueWords = [...all.matchAll(VAGUE)].map((m) => (m[0] as string).toLowerCase());
  const hasVagueness = vagueWords.length > 0 && (wc < 12 || vagueWords.length / wc > 0.1);
  const hasQuestion = all.includes('?') || INTERROGATIVE.test(title);
  const specifics = hasSpecifics(all, ws);
  const hasSituation = SITUATION.test(all);
  const hasGoal = GOAL.test(all);
  const hasGreeting = GREETING.test(title);
  const shouting = isShouting(title);

  let score = wc < 3 ? 0 : wc < 6 ? 10 : wc <= 120 ? 25 : 15;
  if (hasQuestion) score += 20;
  if (/\d/.test(all)) score += 10;
  if (ws.slice(1).some(isName)) score += 10;
  if (ws.some(isPrecise)) score += 5;
  if (hasVagueness) score -= Math.min(15, 5 * vagueWords.length);
  if (hasSituation) score += 15;
  if (hasGoal) score += 15;
  if (hasGreeting) score -= 15;
  if (shouting) score -= 15;
  return {
    clarityScore: Math.max(0, Math.min(100, score)),
    length: title.length,
    wordCount: wc,
    isTooShort: wc < 5 || all.length < 15,
    isTooLong: title.length > TITLE_MAX,
    hasVagueness,
    hasQuestion,
    hasGreeting,
    hasSpecifics: specifics,
    hasSituation,
    hasGoal,
    vagueWords,
    shouting,
  };
}

function feedbackFor(a: ReturnType<typeof assess>): Feedback[] {
  const out: Feedback[] = [];
  if (a.isTooShort)
    out.push({
      type: 'too_short',
      severity: 'high',
      message: `Your question is only ${a.wordCount} word${a.wordCount === 1 ? '' : 's'} long.`,
      suggestion: 'Write it as a full sentence that names the topic, e.g. "How should I … given …?"',
    });
  if (a.isTooLong)
    out.push({
      type: 'too_long',
      severity: 'medium',
      message: `The title is ${a.length} characters; experts scan titles in a list.`,
      suggestion: `Keep the title under ${TITLE_MAX} characters and move the details into the question text.`,
    });
  if (a.hasVagueness)
    out.push({
      type: 'vague',
      severity: 'medium',
      message: `Words like "${a.vagueWords[0]}" do not tell the expert what you mean.`,
      suggestion: `Replace "${a.vagueWords[0]}" with the name of the thing you mean (the product, tool, document or decision).`,
    });
  if (!a.hasQuestion && a.wordCount >= 3)
    out.push({
      type: 'no_question',
      severity: 'medium',
      message: 'This reads as a topic, not a question.',
      suggestion: 'End with the exact question you want answered, e.g. "Which … should I choose?"',
    });
  if (!a.hasSpecifics && !a.isTooShort)
    out.push({
      type: 'not_specific',
      severity: 'medium',
      message: 'There are no names, numbers or details yet.',
      suggestion: 'Add one concrete detail: a number (budget, team size, date) or the name of a product or tool.',
    });
  if (!a.hasSituation && !a.isTooShort)
    out.push({
      type: 'missing_situation',
      severity: 'low',
      message: 'The expert does not know your situation.',
      suggestion: 'Add a sentence about where you stand: your role, your project, what you have tried.',
    });
  if (!a.hasGoal && !a.isTooShort)
    out.push({
      type: 'missing_goal',
      severity: 'low',
      message: 'The outcome you want is not stated.',
      suggestion: 'Say what a good answer lets you do, e.g. "so that I can decide between A and B".',
    });
  if (a.hasGreeting)
    out.push({
      type: 'greeting',
      severity: 'low',
      message: 'The title starts with a greeting.',
      suggestion: 'Start with your question: the expert sees the title first, in a list.',
    });
  if (a.shouting)
    out.push({
      type: 'shouting',
      severity: 'medium',
      message: 'Most of the title is in capital letters.',
      suggestion: 'Write in normal case: it reads as clearer and calmer.',
    });
  return out.sort((x, y) => SEVERITY_ORDER[x.severity] - SEVERITY_ORDER[y.severity]);
}

const ATTACHMENTS: [RegExp, string][] = [
  [/\b(website|landing page|web ?page|site|url|homepage)\b/i, 'A link to the page, or a screenshot of it'],
  [/\b(design|mockup|wireframe|ui|ux|logo|prototype)\b/i, 'The design file or a screenshot of the design'],
  [/\b(code|error|bug|exception|stack trace|crash|script)\b/i, 'The error message or the code snippet'],
  [
    /\b(data|metrics|analytics|numbers|spreadsheet|revenue|conversion|churn|kpis?)\b/i,
    'The numbers: a spreadsheet or a dashboard screenshot',
  ],
  [/\b(contract|agreement|resume|cv|pitch deck|deck|proposal|term sheet|document)\b/i, 'The document itself (PDF)'],
];

function attachmentSuggestions(q: CoachQuestion): string[] {
  const all = `${q.title} ${q.text ?? ''}`;
  return ATTACHMENTS.filter(([re]) => re.test(all))
    .map(([, s]) => s)
    .slice(0, 3);
}

function summaryOf(q: CoachQuestion, expert: CoachExpert): string {
  const t = q.title.trim().replace(/\s+/g, ' ');
  const title = t.length > 120 ? `${t.slice(0, 117)}…` : t;
  const who = expert.name?.trim() || 'the expert';
  const kind = /\b(should|which|or|choose|decide|vs\.?|versus)\b/i.test(t)
    ? 'to help you decide'
    : /^how\b/i.test(t)
      ? 'how to do something'
      : /^(why|what)\b/i.test(t)
        ? 'to explain something'
        : 'for advice';
  return `You are asking ${who} ${kind}: "${title}".`;
}

export function analyse(q: CoachQuestion, expert: CoachExpert): Analysis {
  const a = assess(q);
  const missing: { context: string; c: Omit<Clarification, 'id'> }[] = [];
  if (!a.hasSituation)
    missing.push({
      context: 'your current situation',
      c: {
        question: 'Where do you stand today, and what have you already tried?',
        why: 'Advice depends on your starting point.',
        optional: false,
      },
    });
  if (!a.hasGoal)
    missing.push({
      context: 'the outcome you want',
      c: {
        question: 'What would a great answer let you do or decide?',
        why: 'The expert can aim the answer at your goal.',
        optional: false,
      },
    });
  if (!a.hasSpecifics)
    missing.push({
      context: 'concrete details (numbers, names, tools)',
      c: {
        question: 'Which numbers or names matter here (budget, size, deadline, tools)?',
        why: 'Specifics turn a general answer into one for your case.',
        optional: true,
      },
    });
  if (!missing.length)
    missing.push({
      context: 'constraints and options already ruled out',
      c: {
        question: 'Is there anything you have ruled out, or a constraint the expert should respect?',
        why: 'It saves the expert from suggesting it.',
        optional: true,
      },
    });
  return {
    analysis: { clarity: a.clarityScore, summary: summaryOf(q, expert), missingContext: missing.map((m) => m.context) },
    clarifications: missing.slice(0, 3).map((m, i) => ({ id: `c${i + 1}`, ...m.c })),
    attachmentSuggestions: attachmentSuggestions(q),
  };
}

export function quickValidate(q: CoachQuestion): QuickValidation {
  const a = assess(q);
  const { vagueWords: _v, shouting: _s, ...validation } = a;
  return { validation, feedback: feedbackFor(a) };
}

export function createRulesCoach(): CoachProvider {
  return {
    name: 'rules',
    validate: quickValidate,
    analyze: async (q, expert) => ({ result: analyse(q, expert), servedBy: 'rules' }),
  };
}
