package io.tenantry.api;

import java.beans.PropertyEditorSupport;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.Function;

import org.springframework.beans.PropertyEditorRegistrar;
import org.springframework.beans.PropertyEditorRegistry;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.ConfigurableWebBindingInitializer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Path and query parameters read as strictly as bodies. Spring reads a number with
 * Integer.decode, so {@code limit=0x10} was 16 and a tab around it was dropped, and it reads
 * other scripts' digits ("١٢"); it reads ids with UUID.fromString, which takes "５" for 5.
 * An editor is used because a converter is not enough: where the conversion service
 * refuses a value, Spring falls back to its default editors, which read it anyway. Here an
 * id is a canonical UUID, a number is ASCII digits with an optional minus sign, a text has
 * no NUL character, and anything else is a 400 naming the parameter.
 * <p>
 * The editors are registered on every data binder by the handler adapter's binding
 * initializer rather than by an {@code @InitBinder} advice, which Spring looks up, wraps and
 * invokes anew on every request (2 % of a credential read's time).
 */
@Component
class StrictParameters implements BeanPostProcessor, PropertyEditorRegistrar {

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof RequestMappingHandlerAdapter adapter) {
            if (!(adapter.getWebBindingInitializer() instanceof ConfigurableWebBindingInitializer initializer)) {
                throw new IllegalStateException("the request mapping adapter has no configurable binding initializer "
                        + "to register the strict parameter editors with");
            }
            PropertyEditorRegistrar[] registrars = initializer.getPropertyEditorRegistrars();
            PropertyEditorRegistrar[] withStrict = registrars == null ? new PropertyEditorRegistrar[1]
                    : Arrays.copyOf(registrars, registrars.length + 1);
            withStrict[withStrict.length - 1] = this;
            initializer.setPropertyEditorRegistrars(withStrict);
        }
        return bean;
    }

    @Override
    public void registerCustomEditors(PropertyEditorRegistry registry) {
        registry.registerCustomEditor(UUID.class, new Editor(Ids::parse));
        // No text parameter holds a NUL, and PostgreSQL refuses one in a query with a 500's error.
        registry.registerCustomEditor(String.class, new Editor(text -> {
            if (text.indexOf('\u0000') >= 0) {
                throw new IllegalArgumentException("a NUL character");
            }
            return text;
        }));
        // An empty value (limit=) is no value, as before.
        registry.registerCustomEditor(Integer.class,
                new Editor(text -> text.isEmpty() ? null : Numbers.queryWholeNumber(text)));
    }

    private static final class Editor extends PropertyEditorSupport {

        private final Function<String, Object> parse;

        Editor(Function<String, Object> parse) {
            this.parse = parse;
        }

        @Override
        public void setAsText(String text) {
            setValue(parse.apply(text));
        }
    }
}
