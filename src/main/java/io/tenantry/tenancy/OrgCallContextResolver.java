package io.tenantry.tenancy;

import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

import io.tenantry.api.ApiException;

/** Hands controllers the {@link OrgCallContext} that {@link OrgContextFilter} resolved. */
class OrgCallContextResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == OrgCallContext.class;
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
            NativeWebRequest webRequest, WebDataBinderFactory binderFactory) {
        Object context = webRequest.getAttribute(OrgContextFilter.ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
        if (context == null) {
            throw ApiException.unauthorized("Log in first.");
        }
        return context;
    }
}
