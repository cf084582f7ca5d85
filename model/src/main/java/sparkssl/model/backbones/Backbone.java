package sparkssl.model.backbones;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.InputPreProcessor;

/** An encoder body: layers from the input to a feature map. */
public interface Backbone {
  /** The name {@code --backbone} takes. */
  String name();

  /** The smallest image side whose features keep at least one pixel after every downsampling. */
  int minImageSize();

  /**
   * Adds the layers after vertex {@code input}, the first of them taking {@code firstPreProcessor};
   * returns the name of the last vertex, a feature map {@code [N, C, h, w]}.
   */
  String addTo(GraphBuilder g, String input, InputPreProcessor firstPreProcessor, BackboneOptions o);
}
