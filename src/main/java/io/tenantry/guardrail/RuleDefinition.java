package io.tenantry.guardrail;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.re2j.PatternSyntaxException;

import io.tenantry.api.ApiException;
import io.tenantry.api.Fields;
import io.tenantry.api.MayBeNull;
import io.tenantry.api.Numbers;

/**
 * What a guardrail rule does, checked: its type and the settings of that type, when it
 * runs (direction), what it does on a match (action), how bad a match is (severity), and
 * whether it may change a decision (mode). A setting of another type is refused, not kept.
 */
record RuleDefinition(String type, String direction, String action, String severity, String mode,
        @MayBeNull List<String> keywords, String pattern, @MayBeNull List<String> detectors, Long maxTokens,
        Long limit, String window, String allowedHours, @MayBeNull List<String> allowedDays) {

    static final List<String> TYPES = List.of("keyword", "regex", "pii", "prompt_injection", "max_tokens", "rate",
            "off_hours");
    static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
    static final List<String> DIRECTIONS = List.of("input", "output", "both");
    static final List<String> ACTIONS = List.of("block", "redact", "flag", "pause_agent");
    static final List<String> SEVERITIES = List.of("low", "medium", "high", "critical");
    static final List<String> MODES = List.of("enforce", "shadow");
    /** The settings each type takes; every other is refused. */
    static final Map<String, Set<String>> SETTINGS = Map.of("keyword", Set.of("keywords"), "regex", Set.of("pattern"),
            "pii", Set.of("detectors"), "prompt_injection", Set.of(), "max_tokens", Set.of("maxTokens"),
            "rate", Set.of("limit", "window"), "off_hours", Set.of("allowedHours", "allowedDays"));
    static final Set<String> ALL_SETTINGS = Set.of("keywords", "pattern", "detectors", "maxTokens", "limit", "window",
            "allowedHours", "allowedDays");
    /** Types that judge the request as a whole: there is no span of text to redact. */
    static final Set<String> WHOLE_REQUEST = Set.of("max_tokens", "rate", "off_hours");
    static final long MAX_RATE_LIMIT = 1_000_000;
    static final java.time.Duration LONGEST_WINDOW = java.time.Duration.ofDays(31);
    private static final java.util.regex.Pattern HOURS = java.util.regex.Pattern.compile(
            "(?:[01][0-9]|2[0-3]):[0-5][0-9]-(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)");

    static final int MAX_KEYWORDS = 200;
    static final int MAX_PATTERN = 2000;
    static final long MAX_TOKENS_LIMIT = 10_000_000;

    /** Reads and checks a definition from the fields of a request (missing fields take {@code before}'s). */
    static RuleDefinition read(Map<String, Object> fields, RuleDefinition before) {
        String type = fields.containsKey("type") ? oneOf("type", fields.get("type"), TYPES)
                : before != null ? before.type() : oneOf("type", null, TYPES);
        if (before != null && !type.equals(before.type())) {
            throw ApiException.badRequest("type", "A rule's type cannot change: add a new rule instead.");
        }
        for (String setting : ALL_SETTINGS) {
            if (fields.containsKey(setting) && !SETTINGS.get(type).contains(setting)) {
                throw ApiException.badRequest(setting, setting + " is not a setting of " + type + " rules.");
            }
        }
        String direction = pick(fields, "direction", DIRECTIONS, before == null ? "both" : before.direction());
        String action = pick(fields, "action", ACTIONS, before == null ? null : before.action());
        String severity = pick(fields, "severity", SEVERITIES, before == null ? "medium" : before.severity());
        String mode = pick(fields, "mode", MODES, before == null ? "enforce" : before.mode());
        List<String> keywords = null;
        String pattern = null;
        List<String> detectors = null;
        Long maxTokens = null;
        Long limit = null;
        String window = null;
        String allowedHours = null;
        List<String> allowedDays = null;
        switch (type) {
            case "keyword" -> keywords = fields.containsKey("keywords") ? keywords(fields.get("keywords"))
                    : before != null ? before.keywords() : keywords(null);
            case "regex" -> pattern = fields.containsKey("pattern") ? pattern(fields.get("pattern"))
                    : before != null ? before.pattern() : pattern(null);
            case "pii" -> detectors = fields.containsKey("detectors") ? detectors(fields.get("detectors"))
                    : before != null ? before.detectors() : null;
            case "max_tokens" -> maxTokens = fields.containsKey("maxTokens") ? maxTokens(fields.get("maxTokens"))
                    : before != null ? before.maxTokens() : maxTokens(null);
            case "rate" -> {
                limit = fields.containsKey("limit") ? limit(fields.get("limit"))
                        : before != null ? before.limit() : limit(null);
                window = fields.containsKey("window") ? window(fields.get("window"))
                        : before != null ? before.window() : window(null);
            }
            case "off_hours" -> {
                allowedHours = fields.containsKey("allowedHours") ? hours(fields.get("allowedHours"))
                        : before != null ? before.allowedHours() : hours(null);
                allowedDays = fields.containsKey("allowedDays") ? days(fields.get("allowedDays"))
                        : before != null ? before.allowedDays() : null;
            }
            default -> {
            }
        }
        if ("redact".equals(action) && WHOLE_REQUEST.contains(type)) {
            throw ApiException.badRequest("action", "A " + type + " rule judges the request as a whole, which has "
                    + "nothing to redact: choose block, flag or pause_agent.");
        }
        return new RuleDefinition(type, direction, action, severity, mode, keywords, pattern, detectors, maxTokens,
                limit, window, allowedHours, allowedDays);
    }

    /** The rate window as a duration (a rate rule's window is stored as ISO-8601 text). */
    java.time.Duration windowLength() {
        return java.time.Duration.parse(window);
    }

    private static Long limit(Object value) {
        if (value == null) {
            throw ApiException.badRequest("limit", "limit is required for a rate rule: how many checks a window "
                    + "allows.");
        }
        return Numbers.wholeNumber("limit", value, 1, MAX_RATE_LIMIT);
    }

    private static String window(Object value) {
        java.time.Duration length;
        try {
            length = value instanceof String text && text.length() <= 40 ? java.time.Duration.parse(text) : null;
        } catch (java.time.format.DateTimeParseException e) {
            length = null;
        }
        if (length == null || length.getNano() != 0 || length.compareTo(java.time.Duration.ofSeconds(1)) < 0
                || length.compareTo(LONGEST_WINDOW) > 0) {
            throw ApiException.badRequest("window", (value == null ? "window is required for a rate rule: "
                    : "window is not a duration a rate rule takes: ") + "an ISO-8601 duration of whole seconds from "
                    + "PT1S to P31D, such as PT1M or PT1H.");
        }
        return length.toString();
    }

    private static String hours(Object value) {
        if (!(value instanceof String text) || !HOURS.matcher(text).matches()
                || text.substring(0, 5).equals(text.substring(6))) {
            throw ApiException.badRequest("allowedHours", (value == null
                    ? "allowedHours is required for an off_hours rule: "
                    : "allowedHours is not in the form an off_hours rule takes: ") + "the hours agents may work, as "
                    + "HH:MM-HH:MM in the organization's time zone, two different times (22:00-06:00 spans midnight; "
                    + "24:00 ends a day).");
        }
        return text;
    }

    private static List<String> days(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            throw ApiException.badRequest("allowedDays", "allowedDays must list days (leave it out for every day): "
                    + String.join(", ", DAYS) + ".");
        }
        Set<String> kept = new LinkedHashSet<>();
        for (Object item : list) {
            if (!(item instanceof String day) || !DAYS.contains(day) || !kept.add(day)) {
                throw ApiException.badRequest("allowedDays", "allowedDays must name each of these at most once: "
                        + String.join(", ", DAYS) + ".");
            }
        }
        return DAYS.stream().filter(kept::contains).toList();
    }

    private static String pick(Map<String, Object> fields, String field, List<String> allowed, String otherwise) {
        return fields.containsKey(field) || otherwise == null ? oneOf(field, fields.get(field), allowed) : otherwise;
    }

    static String oneOf(String field, Object value, List<String> allowed) {
        if (value == null || (value instanceof String text && text.isBlank())) {
            throw ApiException.badRequest(field, field + " is required: one of " + String.join(", ", allowed) + ".");
        }
        if (!(value instanceof String text) || !allowed.contains(text)) {
            throw ApiException.badRequest(field, field + " must be one of " + String.join(", ", allowed) + ".");
        }
        return text;
    }

    private static List<String> keywords(Object value) {
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            throw ApiException.badRequest("keywords", "keywords is required for a keyword rule: a list of words "
                    + "or phrases.");
        }
        if (list.size() > MAX_KEYWORDS) {
            throw ApiException.badRequest("keywords", "A rule may have at most " + MAX_KEYWORDS + " keywords.");
        }
        Set<String> kept = new LinkedHashSet<>();
        for (Object item : list) {
            if (!(item instanceof String text)) {
                throw ApiException.badRequest("keywords", "keywords must be a list of text.");
            }
            String keyword = Fields.required("keywords", text, 200);
            if (FoldedText.fold(keyword).chars().noneMatch(Character::isLetterOrDigit)) {
                throw ApiException.badRequest("keywords", "Each keyword needs a letter or a digit.");
            }
            kept.add(keyword);
        }
        return new ArrayList<>(kept);
    }

    private static String pattern(Object value) {
        if (!(value instanceof String text) || text.isEmpty()) {
            throw ApiException.badRequest("pattern", "pattern is required for a regex rule.");
        }
        if (text.length() > MAX_PATTERN) {
            throw ApiException.badRequest("pattern", "pattern must be at most " + MAX_PATTERN + " characters.");
        }
        try {
            com.google.re2j.Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            PatternError error = PatternError.of(text, e);
            throw ApiException.badRequest("pattern", "pattern is not a valid regular expression at position "
                    + error.position() + " (counting from 0): " + error.what() + ". Patterns use RE2 syntax, without "
                    + "backreferences or lookaround.");
        }
        PatternSize size = PatternSize.of(text);
        if (size.nestedRepetition() > MAX_REPEAT) {
            throw ApiException.badRequest("pattern", "pattern nests counted repetitions whose counts multiply past "
                    + MAX_REPEAT + " (such as (a{100}){100}): RE2 refuses those, and they make every text slow to "
                    + "judge. Use one repetition, or smaller counts.");
        }
        if (size.parts() > MAX_PARTS) {
            throw ApiException.badRequest("pattern", "pattern is too large once its repetitions are spelled out "
                    + "(about " + size.parts() + " parts, at most " + MAX_PARTS + "): every text would be slow to "
                    + "judge. Use smaller counts, or fewer of them.");
        }
        return text;
    }

    /** RE2's limit on a counted repetition, and on the product of nested ones. */
    private static final int MAX_REPEAT = 1000;
    /** The most parts a pattern spells out (PatternSize): a few long repetitions, not a dozen. */
    static final int MAX_PARTS = 5000;

    /** Where a pattern goes wrong, in words; RE2/J names the offending fragment, not its position. */
    record PatternError(int position, String what) {

        static PatternError of(String pattern, PatternSyntaxException e) {
            String description = e.getDescription();
            if (description.startsWith("missing closing )")) {
                return new PatternError(unmatched(pattern, true), "this ( is never closed");
            }
            if (description.contains("stack underflow") || description.startsWith("unexpected )")) {
                return new PatternError(unmatched(pattern, false), "this ) closes nothing");
            }
            String fragment = e.getPattern() == null ? "" : e.getPattern();
            int at = fragment.isEmpty() ? -1 : pattern.indexOf(fragment);
            return new PatternError(Math.max(at, 0), description + (fragment.isEmpty() ? "" : " ('" + fragment + "')"));
        }

        /** The first ")" without its "(", or the last "(" without its ")", skipping escapes and classes. */
        private static int unmatched(String pattern, boolean opening) {
            java.util.Deque<Integer> open = new java.util.ArrayDeque<>();
            boolean inClass = false;
            for (int i = 0; i < pattern.length(); i++) {
                char c = pattern.charAt(i);
                if (c == '\\') {
                    i++;
                } else if (inClass) {
                    inClass = c != ']';
                } else if (c == '[') {
                    inClass = true;
                } else if (c == '(') {
                    open.push(i);
                } else if (c == ')') {
                    if (open.isEmpty()) {
                        return opening ? 0 : i;
                    }
                    open.pop();
                }
            }
            return opening && !open.isEmpty() ? open.peek() : 0;
        }
    }

    private static List<String> detectors(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            throw ApiException.badRequest("detectors", "detectors must be a list of detectors (leave it out for "
                    + "all): " + detectorNames() + ".");
        }
        Set<String> kept = new LinkedHashSet<>();
        for (Object item : list) {
            if (!(item instanceof String id) || PiiDetector.byId(id) == null || !kept.add(id)) {
                throw ApiException.badRequest("detectors", "detectors must name each of these at most once: "
                        + detectorNames() + ".");
            }
        }
        return new ArrayList<>(kept);
    }

    static String detectorNames() {
        List<String> names = new ArrayList<>();
        for (PiiDetector detector : PiiDetector.values()) {
            names.add(detector.id);
        }
        return String.join(", ", names);
    }

    private static Long maxTokens(Object value) {
        if (value == null) {
            throw ApiException.badRequest("maxTokens", "maxTokens is required for a max_tokens rule.");
        }
        return Numbers.wholeNumber("maxTokens", value, 1, MAX_TOKENS_LIMIT);
    }
}
