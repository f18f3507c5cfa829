/**
 * The platform's visit-to-question benchmark, a fixed figure carried over from the legacy app
 * (it was never computed there either).
 */
const PLATFORM_VISIT_TO_QUESTION = 3.2;
/** Above this rate an expert is told they are in the top 20 % and may raise prices. */
const TOP_RATE = 4.5;

interface Insight {
  severity: 'info' | 'warning' | 'success';
  title: string;
  issue: string;
  recommendations: string[];
}

export function conversionRate(questions: number, visits: number): number {
  return visits > 0 ? Math.round((questions / visits) * 10_000) / 100 : 0;
}

export function buildInsights(totals: { visits: number; questions: number }) {
  const rate = conversionRate(totals.questions, totals.visits);
  const insights: Insight[] = [];
  if (totals.visits === 0) {
    insights.push({
      severity: 'info',
      title: 'No campaign visits yet',
      issue: 'Nobody has opened one of your campaign links so far.',
      recommendations: [
        'Create a campaign for each place you share your profile (LinkedIn, newsletter, X…).',
        'Share the campaign link instead of your plain profile link, so visits are counted.',
      ],
    });
  } else if (rate < PLATFORM_VISIT_TO_QUESTION) {
    insights.push({
      severity: 'warning',
      title: 'Low conversion rate',
      issue: `${rate}% of your visitors ask a question; the platform average is ${PLATFORM_VISIT_TO_QUESTION}%.`,
      recommendations: [
        'Add a clear professional title and tagline so visitors know what to ask you.',
        'Write a bio that names the problems you solve best.',
        'Add a profile picture: profiles with a face convert better.',
        'Check that your Quick Consult price matches what your audience expects.',
      ],
    });
  } else if (rate > TOP_RATE) {
    insights.push({
      severity: 'success',
      title: "You're in the top 20% of experts",
      issue: `${rate}% of your visitors ask a question, well above the ${PLATFORM_VISIT_TO_QUESTION}% average.`,
      recommendations: ['Demand is strong: consider raising your prices by about 20%.'],
    });
  } else {
    insights.push({
      severity: 'info',
      title: 'On par with the platform',
      issue: `${rate}% of your visitors ask a question; the platform average is ${PLATFORM_VISIT_TO_QUESTION}%.`,
      recommendations: ['Try a Deep Dive tier to capture askers with bigger questions.'],
    });
  }
  return {
    your_metrics: { visit_to_question: rate, total_visits: totals.visits, total_questions: totals.questions },
    platform_average: { visit_to_question: PLATFORM_VISIT_TO_QUESTION },
    insights,
  };
}
