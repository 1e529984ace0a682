package io.tenantry.api;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Errors the servlet container answers itself, before any of our code runs: a request line
 * or headers too large to read, say. Tomcat's own report is an HTML page; ours is the
 * same problem detail as every other error. Runs after Spring Boot's customizer (which
 * installs a plain report valve) so that this one replaces it.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class ContainerErrors implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            StandardHost host = (StandardHost) context.getParent();
            for (Valve valve : host.getPipeline().getValves()) {
                if (valve instanceof ErrorReportValve) {
                    host.getPipeline().removeValve(valve);
                }
            }
            // Named too, so that the host does not add its default report valve when it starts.
            host.setErrorReportValveClass(ProblemReport.class.getName());
            host.getPipeline().addValve(new ProblemReport());
        });
    }

    /** Reports an error the container answered as a problem detail, never as an HTML page. */
    public static class ProblemReport extends ErrorReportValve {

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            HttpStatus status = HttpStatus.resolve(response.getStatus());
            if (status == null || !status.isError() || response.getContentWritten() > 0) {
                return;
            }
            AtomicBoolean writable = new AtomicBoolean();
            response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, writable);
            if (!writable.get() || !response.setErrorReported()) {
                return;
            }
            try {
                response.resetBuffer();
                Problems.write(request, response, status, status == HttpStatus.BAD_REQUEST ? "The request could not be read:"
                        + " it is malformed, or its address or headers are larger than the server accepts."
                        : Problems.genericDetail(status));
                response.finishResponse();
            } catch (IOException | IllegalStateException e) {
                // The client went away or the answer was already on its way: nothing left to tell it.
            }
        }
    }
}
