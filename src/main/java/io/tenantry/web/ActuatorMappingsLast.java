package io.tenantry.web;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.webmvc.actuate.endpoint.web.AbstractWebMvcEndpointHandlerMapping;
import org.springframework.boot.webmvc.actuate.endpoint.web.AdditionalHealthEndpointPathsWebMvcHandlerMapping;
import org.springframework.boot.webmvc.actuate.endpoint.web.ControllerEndpointHandlerMapping;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;

/**
 * Asks the actuator's handler mappings after the application's controllers rather than
 * before them (Spring Boot orders them first). Each request goes through the mappings in
 * order until one has a handler, and a mapping without one for the path scans all its
 * patterns twice (for a match, then for a near match to answer 405 or 406 with): the
 * actuator's, asked first, did that on every API call, 3 % of a usage report's CPU under
 * load. The actuator's paths (/actuator/**) match none of the controllers' patterns, so
 * they reach the same handlers as before, after a failed lookup only on those rare calls.
 * Order 1 keeps them ahead of the static resources' catch-all mapping.
 */
@Component
class ActuatorMappingsLast implements BeanPostProcessor {

    static final int ORDER = 1;

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof AbstractWebMvcEndpointHandlerMapping || bean instanceof ControllerEndpointHandlerMapping
                || bean instanceof AdditionalHealthEndpointPathsWebMvcHandlerMapping) {
            ((AbstractHandlerMapping) bean).setOrder(ORDER);
        }
        return bean;
    }
}
