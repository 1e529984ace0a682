package io.tenantry.web;

import org.springframework.boot.webmvc.autoconfigure.WebMvcRegistrations;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** Spring Boot builds its controller mapping from this one: {@link LiteralPrefixHandlerMapping}. */
@Component
class HandlerMappingRegistrations implements WebMvcRegistrations {

    @Override
    public RequestMappingHandlerMapping getRequestMappingHandlerMapping() {
        return new LiteralPrefixHandlerMapping();
    }
}
