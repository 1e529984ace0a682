package io.tenantry.guardrail;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

import io.tenantry.agent.AppliesTo;

/** A rule ready to run: its patterns compiled once, when its org's rule set is built. */
final class CompiledRule {

    final GuardrailRule rule;
    private final Pattern pattern;
    /**
     * The pattern behind one character of any kind, tried anchored from the character before a
     * possible start, so that assertions there see what precedes it; the pattern is group 1.
     */
    private final Pattern afterOne;
    /** What every match of the pattern contains, when that can be told: texts without it are skipped. */
    private final RequiredText required;
    /** What the pattern's matches are made of, if that can be told. */
    private final RequiredText.Shape shape;
    private final List<String[]> keywords;
    private final List<PiiDetector> detectors;

    CompiledRule(GuardrailRule rule) {
        this.rule = rule;
        RuleDefinition definition = rule.definition();
        this.pattern = "regex".equals(definition.type()) ? Pattern.compile(definition.pattern()) : null;
        this.required = pattern == null ? null : RequiredText.of(definition.pattern()).orElse(null);
        // Only for the patterns searched from their possible starts: a compiled pattern is not small.
        this.afterOne = required == null || required.longestMatch() <= RequiredText.WINDOWED_UP_TO
                || required.longestBefore() > RequiredText.WINDOWED_UP_TO ? null
                : Pattern.compile("(?s:.)(" + definition.pattern() + ")");
        this.shape = pattern == null ? null : RequiredText.shape(definition.pattern()).orElse(null);
        this.keywords = "keyword".equals(definition.type())
                ? definition.keywords().stream().map(k -> FoldedText.fold(k).trim().split("\\s+")).toList()
                : List.of();
        List<PiiDetector> chosen = new ArrayList<>();
        if ("pii".equals(definition.type())) {
            if (definition.detectors() == null) {
                chosen.addAll(List.of(PiiDetector.values()));
            } else {
                definition.detectors().forEach(id -> chosen.add(PiiDetector.byId(id)));
            }
        }
        this.detectors = List.copyOf(chosen);
    }

    boolean appliesTo(UUID agentId, String direction) {
        AppliesTo target = rule.appliesTo();
        return target.covers(agentId) && appliesTo(direction);
    }

    boolean appliesTo(String direction) {
        return rule.enabled() && (rule.direction().equals("both") || rule.direction().equals(direction));
    }

    List<Finding> find(Scan scan, long tokens, boolean tokensGiven, Circumstances now) {
        RuleDefinition definition = rule.definition();
        return switch (definition.type()) {
            case "rate" -> {
                Long count = now.rateCounts().get(rule.id());
                yield count != null && count > definition.limit()
                        ? List.of(new Finding(0, 0, "rate", count + " checks in this " + definition.window()
                                + " window, at most " + definition.limit()))
                        : List.of();
            }
            case "off_hours" -> offHours(definition, now);
            case "keyword" -> wholeWords(scan.lowerCase());
            case "regex" -> inOriginal(scan, scan.visible(), timed(scan.visible()));
            case "pii" -> detectors.stream()
                    .flatMap(d -> scan.shared(d, () -> d.find(scan.keepingCase())).stream()).toList();
            case "prompt_injection" -> scan.shared(PromptInjection.class,
                    () -> PromptInjection.find(scan.lowerCase(), scan.keepingCase()));
            case "max_tokens" -> tokens > definition.maxTokens()
                    ? List.of(new Finding(0, 0, "max_tokens", tokens + " tokens" + (tokensGiven ? "" : " (estimated)")
                            + ", at most " + definition.maxTokens()))
                    : List.of();
            default -> List.of();
        };
    }

    /**
     * Whether this rule changes what leaves when it matches: an enforced block, redaction or
     * pause. Only those make a stream hold text back; a flag or a shadow rule is judged on
     * the whole answer when it ends, and changes nothing.
     */
    boolean holdsBack() {
        return "enforce".equals(rule.mode()) && !"flag".equals(rule.action());
    }

    /**
     * Where in {@code scan}'s text the earliest match that more text could still complete may
     * start: its length when none can, 0 when the rule cannot tell (a stream then holds its
     * whole window). A match in the text already is found by judging it; one that runs on past
     * its end is what a stream must not let go of yet.
     */
    int openFrom(Scan scan) {
        int length = scan.text.length();
        RuleDefinition definition = rule.definition();
        return switch (definition.type()) {
            case "keyword" -> openKeyword(scan.lowerCase());
            case "regex" -> {
                Scan visible = scan.visible();
                yield visible.originalStart(Math.max(shape == null ? 0 : shape.openFrom(visible.text),
                        required == null ? 0 : required.openFrom(visible)));
            }
            case "pii" -> detectors.stream().mapToInt(d -> d.openFrom(scan.keepingCase())).min().orElse(length);
            case "rate", "off_hours", "max_tokens" -> length;
            default -> 0;
        };
    }

    /**
     * The earliest start of a phrase the text ends inside of (or right after, where a letter
     * could still join it), mapped back to the original text.
     */
    private int openKeyword(FoldedText text) {
        String folded = text.folded;
        for (int start = 0; start < folded.length(); start++) {
            if (joins(text, start - 1, start)) {
                continue;
            }
            for (String[] words : keywords) {
                if (endsInside(text, start, words)) {
                    return text.originalStart(start);
                }
            }
        }
        return text.originalStart(folded.length());
    }

    /** Whether {@code folded} from {@code start} is the phrase's beginning, ending before the phrase does or with it. */
    private static boolean endsInside(FoldedText text, int start, String[] words) {
        String folded = text.folded;
        int at = start;
        for (int w = 0; w < words.length; w++) {
            if (w > 0) {
                int gap = at;
                while (gap < folded.length() && Character.isWhitespace(folded.charAt(gap))) {
                    gap++;
                }
                if (gap == folded.length()) {
                    return true;
                }
                if (gap == at && !text.breakBefore(at)) {
                    return false;
                }
                at = gap;
            }
            String word = words[w];
            for (int k = 0; k < word.length(); k++, at++) {
                if (at == folded.length()) {
                    return true;
                }
                if (folded.charAt(at) != word.charAt(k)) {
                    return false;
                }
            }
        }
        return at == folded.length();
    }

    /**
     * Whether the moment lies outside the allowed days and hours, in the org's time zone.
     * The day is the calendar day of the moment, also in a window that spans midnight.
     */
    private static List<Finding> offHours(RuleDefinition definition, Circumstances now) {
        java.time.ZonedDateTime local = now.at().atZone(now.zone());
        String day = RuleDefinition.DAYS.get(local.getDayOfWeek().getValue() - 1);
        int minute = local.getHour() * 60 + local.getMinute();
        String hours = definition.allowedHours();
        int start = minutes(hours.substring(0, 5));
        int end = minutes(hours.substring(6));
        boolean inHours = start < end ? minute >= start && minute < end : minute >= start || minute < end;
        boolean onDay = definition.allowedDays() == null || definition.allowedDays().contains(day);
        if (inHours && onDay) {
            return List.of();
        }
        return List.of(new Finding(0, 0, "off_hours", String.format("%s %02d:%02d %s is outside %s%s", day,
                local.getHour(), local.getMinute(), now.zone().getId(), hours,
                definition.allowedDays() == null ? "" : " on " + String.join(", ", definition.allowedDays()))));
    }

    private static int minutes(String hhmm) {
        return Integer.parseInt(hhmm.substring(0, 2)) * 60 + Integer.parseInt(hhmm.substring(3));
    }

    boolean counts() {
        return "rate".equals(rule.type());
    }

    /**
     * A keyword counts where it stands as a word of its own (no letter or digit touches it),
     * its words apart by any run of white space; where characters that show nothing were
     * dropped, a word may end and begin. Found with plain string search: keywords are literal,
     * and this is many times faster than a pattern.
     */
    private List<Finding> wholeWords(FoldedText text) {
        String folded = text.folded;
        List<Finding> found = new ArrayList<>();
        for (String[] words : keywords) {
            int from = 0;
            while (true) {
                int start = folded.indexOf(words[0], from);
                if (start < 0) {
                    break;
                }
                int end = start + words[0].length();
                for (int w = 1; w < words.length && end >= 0; w++) {
                    int gap = end;
                    while (gap < folded.length() && Character.isWhitespace(folded.charAt(gap))) {
                        gap++;
                    }
                    end = (gap > end || text.breakBefore(end)) && folded.startsWith(words[w], gap)
                            ? gap + words[w].length() : -1;
                }
                if (end >= 0 && !joins(text, start - 1, start) && !joins(text, end, end - 1)) {
                    found.add(new Finding(text.originalStart(start), text.originalEnd(end), "keyword",
                            "keyword '" + folded.substring(start, end) + "'"));
                    from = end;
                } else {
                    from = start + 1;
                }
            }
        }
        found.sort(java.util.Comparator.comparingInt(Finding::start));
        return found;
    }

    /**
     * Whether the character at {@code at} runs on from the keyword's edge at {@code edge}, so
     * that the keyword is part of a longer word: a letter or digit of the same script. Text in
     * scripts written without spaces ("我的password是") has its keywords found all the same.
     * Nothing joins across characters that show nothing: one may stand between two words.
     */
    private static boolean joins(FoldedText folded, int at, int edge) {
        String text = folded.folded;
        if (at < 0 || at >= text.length() || !Character.isLetterOrDigit(text.charAt(at))
                || folded.breakBefore(Math.max(at, edge))) {
            return false;
        }
        Character.UnicodeScript neighbour = Character.UnicodeScript.of(text.charAt(at));
        Character.UnicodeScript own = Character.UnicodeScript.of(text.charAt(edge));
        return neighbour == own || neighbour == Character.UnicodeScript.COMMON
                || own == Character.UnicodeScript.COMMON;
    }

    /**
     * The pattern run only in the windows where a match can stand ({@link RequiredText#windows}),
     * each with one character on either side so that assertions ({@code \b}, {@code ^}) see
     * what they would see in the whole text. No match can lean on that edge character when the
     * literals and the longest match were read right (a match holds a literal and is no longer
     * than that); should one do so all the same, the whole text is searched instead.
     */
    private List<Finding> regex(Scan scan) {
        int[] windows = required.windows(scan);
        if (windows == null) {
            int[] starts = afterOne == null ? null : required.starts(scan);
            return starts == null ? regex(scan, scan.text) : fromStarts(scan, starts);
        }
        String text = scan.text;
        List<Finding> found = new ArrayList<>();
        Matcher m = pattern.matcher("");
        for (int w = 0; w < windows.length; w += 2) {
            int from = Math.max(0, windows[w] - 1);
            m.reset(scan.timed(text.substring(from, Math.min(text.length(), windows[w + 1] + 1))));
            while (m.find()) {
                int start = from + m.start();
                int end = from + m.end();
                if (start < windows[w] || end > windows[w + 1]) {
                    return regex(scan, text);
                }
                if (end > start) {
                    found.add(match(start, end));
                }
            }
        }
        return found;
    }

    /**
     * The search of the whole text made only from where a match can start
     * ({@link RequiredText#starts}): from each, left to right and never inside the last match,
     * the pattern is tried anchored, and the first match there is the one a search would find.
     */
    private List<Finding> fromStarts(Scan scan, int[] starts) {
        String text = scan.text;
        List<Finding> found = new ArrayList<>();
        Matcher plain = pattern.matcher("");
        Matcher behind = afterOne.matcher("");
        int resume = 0;
        for (int w = 0; w < starts.length; w += 2) {
            for (int at = Math.max(resume, starts[w]); at < starts[w + 1]; at++) {
                if (at > 0 && Character.isLowSurrogate(text.charAt(at)) && Character.isHighSurrogate(text.charAt(at - 1))) {
                    continue;
                }
                int start;
                int end;
                if (at == 0) {
                    plain.reset(scan.timed(text));
                    if (!plain.lookingAt()) {
                        continue;
                    }
                    start = plain.start();
                    end = plain.end();
                } else {
                    behind.reset(scan.timed(java.nio.CharBuffer.wrap(text, at - 1, text.length())));
                    if (!behind.lookingAt()) {
                        continue;
                    }
                    start = at - 1 + behind.start(1);
                    end = at - 1 + behind.end(1);
                }
                if (end > start) {
                    found.add(match(start, end));
                }
                resume = Math.max(end, start + 1);
                at = resume - 1;
            }
        }
        return found;
    }

    /**
     * The regex rule's matches, found within the check's or call's time ({@link RegexClock}); a
     * rule that runs past it counts as matched (no span: a redaction then blocks), since a text
     * it could not judge must not pass as one it judged harmless.
     */
    private List<Finding> timed(Scan scan) {
        try {
            return scan.timedRule(() -> required == null ? regex(scan, scan.text)
                    : !required.mayMatch(scan) ? List.of() : regex(scan));
        } catch (TimedText.OutOfTime late) {
            return List.of(new Finding(0, 0, OUT_OF_TIME, "not judged within the " + RegexClock.BUDGET.toMillis()
                    + " ms of matching a check or call may spend, so counted as a match: simplify the pattern or "
                    + "shorten the text"));
        } catch (StackOverflowError tooDeep) {
            // RE2/J recurses along a pattern's optional parts; PatternSize keeps patterns well short
            // of a thread's stack, and a rule that still goes too deep fails closed as one out of time.
            return List.of(new Finding(0, 0, OUT_OF_TIME, "could not be judged (the pattern is too deep to match), "
                    + "so counted as a match: simplify the pattern"));
        }
    }

    /** A regex rule's matches in {@code visible} as spans of {@code scan}'s text, which it was made from. */
    private static List<Finding> inOriginal(Scan scan, Scan visible, List<Finding> found) {
        if (visible == scan || found.isEmpty()) {
            return found;
        }
        return found.stream().map(f -> f.hasSpan() ? match(visible.originalStart(f.start()),
                visible.originalEnd(f.end())) : f).toList();
    }

    /** The label of a regex rule that ran out of time. */
    static final String OUT_OF_TIME = "regex_timeout";

    private static Finding match(int start, int end) {
        return new Finding(start, end, "regex", "a match of " + (end - start) + " characters at position " + start);
    }

    private List<Finding> regex(Scan scan, String text) {
        List<Finding> found = new ArrayList<>();
        Matcher m = pattern.matcher(scan.timed(text));
        while (m.find()) {
            if (m.end() == m.start()) {
                continue;
            }
            found.add(match(m.start(), m.end()));
        }
        return found;
    }
}
