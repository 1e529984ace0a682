package io.tenantry.api;

import java.beans.PropertyEditorSupport;
import java.util.UUID;
import java.util.function.Function;

import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

/**
 * Path and query parameters read as strictly as bodies. Spring reads a number with
 * Integer.decode, so {@code limit=0x10} was 16 and a tab around it was dropped, and it reads
 * other scripts' digits ("١٢"); it reads ids with UUID.fromString, which takes "５" for 5.
 * An editor is used because a converter is not enough: where the conversion service
 * refuses a value, Spring falls back to its default editors, which read it anyway. Here an
 * id is a canonical UUID, a number is ASCII digits with an optional minus sign, and
 * anything else is a 400 naming the parameter.
 */
@ControllerAdvice
class StrictParameters {

    @InitBinder
    void readStrictly(WebDataBinder binder) {
        binder.registerCustomEditor(UUID.class, new Editor(Ids::parse));
        // An empty value (limit=) is no value, as before.
        binder.registerCustomEditor(Integer.class,
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
