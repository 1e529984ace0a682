package io.tenantry.agent;

import java.util.Optional;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import io.tenantry.api.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * "Inactive orgs' agents stop operating": every /agent/v1 call from a paused agent, or
 * from an agent of a deactivated org, is refused with the reason, before any handler runs.
 * Usage reports are the exception: they record what already happened, and refusing them
 * would lose usage that is billed. The gateway's model calls refuse for themselves, with
 * OpenAI's error codes and a line in the org's request log.
 */
@Configuration
class AgentOperatingGate implements WebMvcConfigurer, HandlerInterceptor {

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/agent/v1/**").excludePathPatterns("/agent/v1/usage",
                "/agent/v1/chat/completions", "/agent/v1/embeddings");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws Exception {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !(authentication.getPrincipal() instanceof AgentPrincipal agent)) {
            Problems.write(request, response, HttpStatus.UNAUTHORIZED, "Send an agent key as Authorization: Bearer <key>.");
            return false;
        }
        Optional<String> refusal = agent.whyNotOperating();
        if (refusal.isPresent()) {
            if (Problems.openAiShaped(request.getRequestURI())) {
                Problems.writeOpenAi(response, 403, refusal.get(), Problems.openAiType(403),
                        agent.notOperatingCode());
            } else {
                Problems.write(request, response, HttpStatus.FORBIDDEN, refusal.get());
            }
            return false;
        }
        return true;
    }
}
