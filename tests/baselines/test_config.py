import pytest

from baselines.config import ConfigError, bundled_configs, load_config, parse_config

MINIMAL = "name: t\nmetric: roc_auc\n"


def test_every_bundled_config_loads():
    assert {"breast_cancer_mlp", "diabetes_mlp", "digits_cnn", "wine_mlp"} <= set(bundled_configs())
    for name in bundled_configs():
        config = load_config(name)
        assert config.device == "auto" and config.amp


def test_overrides_reach_nested_keys_and_parse_as_yaml():
    config = parse_config(MINIMAL, ["epochs=3", "optimizer.lr=0.05", "model.params={hidden: [8]}"])
    assert config.epochs == 3 and config.optimizer.lr == 0.05
    assert config.model.params == {"hidden": [8]}


def test_run_name_comes_from_the_main_hyperparameters():
    config = parse_config(MINIMAL + "epochs: 7\nbatch_size: 16\nseed: 3\n")
    assert config.run_name() == "t-mlp-lr0.001-bs16-ep7-seed3"


@pytest.mark.parametrize(
    "text, says",
    [
        (MINIMAL + "epochz: 3\n", "unknown key(s) epochz"),
        (MINIMAL + "optimizer: {momentum: 0.9}\n", "optimizer: unknown key(s) momentum"),
        ("name: t\nmetric: no_such_metric\n", "metric:"),
        (MINIMAL + "valid_fraction: 1.5\n", "valid_fraction"),
        (MINIMAL + "device: tpu\n", "device"),
    ],
)
def test_a_bad_config_says_which_key(text, says):
    with pytest.raises(ConfigError, match=None) as caught:
        parse_config(text)
    assert says in str(caught.value)
