package io.tenantry.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.pattern.PathPattern;

import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/**
 * The controllers' handler mapping passes over mappings whose literal start a path lacks
 * (LiteralPrefixHandlerMapping), and decides every path as Spring's own match would: the
 * same mappings match, for paths made from every mapping's patterns and for the awkward
 * spellings of them (encoded letters, doubled and trailing slashes, another case).
 */
@TenantryTest
class LiteralPrefixHandlerMappingTest extends ServerTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping mapping;

    @Test
    void theControllersMappingSkipsByLiteralStart() {
        assertThat(mapping).isInstanceOf(LiteralPrefixHandlerMapping.class);
        RequestMappingInfo credentials = mapping.getHandlerMethods().keySet().stream()
                .filter(info -> info.getPatternValues().contains("/agent/v1/credentials/{name}")).findFirst()
                .orElseThrow();
        assertThat(LiteralPrefixHandlerMapping.literalStarts(credentials))
                .containsExactly(List.of("agent", "v1", "credentials"));
    }

    @Test
    void everyPathMatchesTheMappingsSpringsOwnMatchWould() {
        Map<RequestMappingInfo, HandlerMethod> all = mapping.getHandlerMethods();
        Set<String> paths = new LinkedHashSet<>();
        for (RequestMappingInfo info : all.keySet()) {
            for (PathPattern pattern : info.getPathPatternsCondition().getPatterns()) {
                String path = pattern.getPatternString().replaceAll("\\{\\*[^}]*}|\\*\\*", "x/y")
                        .replaceAll("\\{[^}]*}|\\*", "x");
                paths.add(path);
                paths.add(path + "/");
                paths.add(path.replace("/", "//"));
                paths.add(path.toUpperCase(Locale.ROOT));
                paths.add(path.replaceFirst("e", "%65").replaceFirst("a", "%61"));
                paths.add(path.replaceFirst("/[^/]*$", ""));
            }
        }
        assertThat(paths).hasSizeGreaterThan(300);
        int matched = 0;
        List<String> differences = new ArrayList<>();
        for (String path : paths) {
            for (RequestMethod method : RequestMethod.values()) {
                MockHttpServletRequest request = new MockHttpServletRequest(method.name(), path);
                request.addHeader("Accept", "application/json");
                ServletRequestPathUtils.parseAndCache(request);
                for (RequestMappingInfo info : all.keySet()) {
                    RequestMappingInfo skipping = ((LiteralPrefixHandlerMapping) mapping).getMatchingMapping(info,
                            request);
                    RequestMappingInfo spring = info.getMatchingCondition(request);
                    if (spring != null) {
                        matched++;
                    }
                    if (!Objects.equals(skipping, spring)) {
                        differences.add(method + " " + path + " against " + info);
                    }
                }
            }
        }
        assertThat(differences).isEmpty();
        assertThat(matched).as("the paths made from the patterns match their mappings").isGreaterThan(all.size());
    }
}
