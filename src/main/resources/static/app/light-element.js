// The dashboard's elements render into the light DOM, so that the one stylesheet
// (styles.css) applies to them all and tests can find their content.
import { LitElement } from 'lit';

export class LightElement extends LitElement {
  createRenderRoot() {
    return this;
  }
}
