package io.tenantry.web;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.springframework.http.server.PathContainer;
import org.springframework.web.servlet.mvc.condition.PathPatternsRequestCondition;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.pattern.PathPattern;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Spring MVC finds the handler of a path with a variable in it (/agent/v1/credentials/{name})
 * by trying every controller mapping's conditions in turn, its method, parameters, headers and
 * media types before its path: about a hundred mappings for each such request, 7 % of an
 * agent's credential read. The literal segments a mapping's patterns start with are known when
 * it is registered, so a mapping whose patterns all start with segments the request's path
 * does not have is passed over before any of its conditions is tried. A path that has them
 * goes to Spring's own match as before: which mappings match, and which of them wins, is
 * Spring's decision; this only skips mappings that could not have matched.
 */
class LiteralPrefixHandlerMapping extends RequestMappingHandlerMapping {

    /** A segment compared as the pattern parser would compare it: plain characters, no variable or wildcard. */
    private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~-]+");

    /** Per mapping, each pattern's leading literal segments; no entry: the mapping is always tried. */
    private final Map<RequestMappingInfo, List<List<String>>> starts = new ConcurrentHashMap<>();

    @Override
    protected void registerHandlerMethod(Object handler, Method method, RequestMappingInfo mapping) {
        super.registerHandlerMethod(handler, method, mapping);
        List<List<String>> literal = literalStarts(mapping);
        if (literal != null && getPatternParser() != null && getPatternParser().isCaseSensitive()) {
            starts.put(mapping, literal);
        }
    }

    @Override
    protected RequestMappingInfo getMatchingMapping(RequestMappingInfo info, HttpServletRequest request) {
        List<List<String>> literal = starts.get(info);
        if (literal != null && ServletRequestPathUtils.hasParsedRequestPath(request)
                && !startsWithAny(ServletRequestPathUtils.getParsedRequestPath(request).pathWithinApplication(),
                        literal)) {
            return null;
        }
        return super.getMatchingMapping(info, request);
    }

    /** Null when one of the mapping's patterns starts with no literal segment: such a mapping is always tried. */
    static List<List<String>> literalStarts(RequestMappingInfo mapping) {
        PathPatternsRequestCondition paths = mapping.getPathPatternsCondition();
        if (paths == null || paths.getPatterns().isEmpty()) {
            return null;
        }
        List<List<String>> literal = new ArrayList<>();
        for (PathPattern pattern : paths.getPatterns()) {
            String text = pattern.getPatternString();
            if (!text.startsWith("/")) {
                return null;
            }
            List<String> segments = new ArrayList<>();
            for (String segment : text.substring(1).split("/", -1)) {
                if (!LITERAL.matcher(segment).matches()) {
                    break;
                }
                segments.add(segment);
            }
            if (segments.isEmpty()) {
                return null;
            }
            literal.add(List.copyOf(segments));
        }
        return List.copyOf(literal);
    }

    private static boolean startsWithAny(PathContainer path, List<List<String>> literal) {
        for (List<String> segments : literal) {
            if (startsWith(path, segments)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the path begins separator, segment, separator, segment... with these segments, as
     * a pattern's literal elements require; compared with the decoded value the pattern
     * itself matches against.
     */
    private static boolean startsWith(PathContainer path, List<String> segments) {
        List<PathContainer.Element> elements = path.elements();
        if (elements.size() < 2 * segments.size()) {
            return false;
        }
        for (int i = 0; i < segments.size(); i++) {
            if (!(elements.get(2 * i) instanceof PathContainer.Separator)
                    || !(elements.get(2 * i + 1) instanceof PathContainer.PathSegment segment)
                    || !segments.get(i).equals(segment.valueToMatch())) {
                return false;
            }
        }
        return true;
    }
}
