/**
 * The AI coach seam: what the ask page's two coaching steps need from an analyser. `rules` is a
 * deterministic analyser (the default, no network); `openai` asks any OpenAI-compatible
 * chat-completions endpoint for step 2 and falls back to `rules` when the endpoint fails.
 * Adapters import nothing from other domains.
 */

export interface CoachQuestion {
  title: string;
  text: string | null;
}

/** What the analyser may know about the expert being asked (for wording and relevance). */
export interface CoachExpert {
  name: string | null;
  professionalTitle: string | null;
}

type FeedbackKind =
  | 'too_short'
  | 'too_long'
  | 'no_question'
  | 'vague'
  | 'not_specific'
  | 'missing_situation'
  | 'missing_goal'
  | 'greeting'
  | 'shouting';

export interface Feedback {
  type: FeedbackKind;
  severity: 'high' | 'medium' | 'low';
  message: string;
  /** What the asker can do about it, in one sentence. */
  suggestion: string;
}

export interface Validation {
  clarityScore: number;
  length: number;
  wordCount: number;
  isTooShort: boolean;
  isTooLong: boolean;
  hasVagueness: boolean;
  hasQuestion: boolean;
  hasGreeting: boolean;
  hasSpecifics: boolean;
  hasSituation: boolean;
  hasGoal: boolean;
}

export interface QuickValidation {
  validation: Validation;
  feedback: Feedback[];
}

export interface Clarification {
  id: string;
  question: string;
  why: string;
  optional: boolean;
}

export interface Analysis {
  analysis: { clarity: number; summary: string; missingContext: string[] };
  clarifications: Clarification[];
  attachmentSuggestions: string[];
}

type CoachProviderName = 'rules' | 'openai';

export interface CoachProvider {
  readonly name: CoachProviderName;
  /** Step 1 (quick-validate): cheap and synchronous for every provider, as in the legacy design. */
  validate(q: CoachQuestion): QuickValidation;
  /** Step 2 (analyze-and-guide). `servedBy` names who really answered (after a fallback: rules). */
  analyze(q: CoachQuestion, expert: CoachExpert): Promise<{ result: Analysis; servedBy: CoachProviderName }>;
}
